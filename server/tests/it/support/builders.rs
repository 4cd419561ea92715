//! Fixture builders (crates.io's `CrateBuilder` style): a test says what
//! its records are, in the app's own form types, and the builder sends them
//! through the real server functions. The form's field names come from the
//! app's structs (`ProjectForm`, `OrganisationForm`…), so a renamed field
//! breaks the build, not a test's meaning.
use app::domain::{OrganisationKind, OwnerKind, Stage};
use app::models::{OrganisationForm, ProjectForm};
use serde::Serialize;

use crate::support::TestApp;
use crate::support::api::{change_stage, ok, ok_id};

/// A form's fields as the browser sends them: `prefix[field]`, a list as
/// `prefix[field][i]`; absent options are not sent.
pub fn fields(prefix: &str, value: &impl Serialize) -> Vec<(String, String)> {
    let value = serde_json::to_value(value).expect("a form serialises");
    let object = value.as_object().expect("a form is a struct");
    let mut out = Vec::new();
    for (key, value) in object {
        let key = format!("{prefix}[{key}]");
        match value {
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => out.push((key, s.clone())),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item = match item {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    out.push((format!("{key}[{i}]"), item));
                }
            }
            other => out.push((key, other.to_string())),
        }
    }
    out
}

/// Posts `pairs` and `form[…]` fields to a server function.
pub async fn post_form(
    http: &reqwest::Client,
    app: &TestApp,
    endpoint: &str,
    pairs: &[(&str, String)],
    form: &impl Serialize,
) -> reqwest::Response {
    let mut body: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    body.extend(fields("form", form));
    http.post(app.url(&format!("/api/{endpoint}")))
        .form(&body)
        .send()
        .await
        .expect("request")
}

/// A project: `ProjectBuilder::new("Halle").commune("15187").cost("100 000")
/// .at_stage(Stage::Study).create(&http, &app)`.
pub struct ProjectBuilder {
    form: ProjectForm,
    stage: Stage,
    reason: Option<String>,
}

impl ProjectBuilder {
    pub fn new(title: &str) -> Self {
        Self {
            form: ProjectForm {
                title: title.to_owned(),
                ..ProjectForm::default()
            },
            stage: Stage::Emergence,
            reason: None,
        }
    }

    pub fn commune(mut self, insee: &str) -> Self {
        self.form.communes.push(insee.to_owned());
        self
    }

    /// The estimated cost, as typed in the form (« 100 000 »).
    pub fn cost(mut self, euros: &str) -> Self {
        self.form.estimated_cost = euros.to_owned();
        self
    }

    pub fn programme(mut self, code: &str) -> Self {
        self.form.programmes.push(code.to_owned());
        self
    }

    pub fn theme(mut self, code: &str) -> Self {
        self.form.themes.push(code.to_owned());
        self
    }

    pub fn owner(mut self, name: &str, kind: OwnerKind) -> Self {
        self.form.owner_name = name.to_owned();
        self.form.owner_kind = kind.as_str().to_owned();
        self
    }

    /// Moved there after its creation, stage by stage along the path (or
    /// abandoned from emergence, with `reason`).
    pub fn at_stage(mut self, stage: Stage, reason: Option<&str>) -> Self {
        self.stage = stage;
        self.reason = reason.map(str::to_owned);
        self
    }

    /// Creates it (and moves it); its id.
    pub async fn create(self, http: &reqwest::Client, app: &TestApp) -> i64 {
        let id = ok_id(post_form(http, app, "projects/create", &[], &self.form).await).await;
        let moves: Vec<Stage> = match self.stage {
            Stage::Abandoned => vec![Stage::Abandoned],
            target => Stage::PATH
                .into_iter()
                .skip(1)
                .take_while(|s| *s <= target)
                .collect(),
        };
        for (version, stage) in (1..).zip(moves) {
            let res = change_stage(
                http,
                app,
                id,
                version,
                stage.as_str(),
                self.reason.as_deref(),
            )
            .await;
            ok(res).await;
        }
        id
    }
}

/// An organisation of the directory: `OrgBuilder::new("Les Amis du Viaduc",
/// OrganisationKind::Association).commune("15187").create(&http, &app)`.
pub struct OrgBuilder {
    form: OrganisationForm,
}

impl OrgBuilder {
    pub fn new(name: &str, kind: OrganisationKind) -> Self {
        Self {
            form: OrganisationForm {
                name: name.to_owned(),
                kind: kind.as_str().to_owned(),
                ..OrganisationForm::default()
            },
        }
    }

    /// SIREN or SIRET, as typed.
    pub fn company_id(mut self, id: &str) -> Self {
        self.form.company_id = id.to_owned();
        self
    }

    pub fn commune(mut self, insee: &str) -> Self {
        self.form.commune = insee.to_owned();
        self
    }

    pub fn epci(mut self, siren: &str) -> Self {
        self.form.epci = siren.to_owned();
        self
    }

    pub fn website(mut self, url: &str) -> Self {
        self.form.website = url.to_owned();
        self
    }

    /// The catalogue funder this organisation stands for.
    pub fn funder(mut self, funder_id: &str) -> Self {
        self.form.funder_id = funder_id.to_owned();
        self
    }

    pub fn notes(mut self, notes: &str) -> Self {
        self.form.notes = notes.to_owned();
        self
    }

    /// « Créer quand même » ticked (a near-identical record is another one).
    pub fn confirmed(mut self) -> Self {
        self.form.confirm_duplicate = Some("on".to_owned());
        self
    }

    /// Sends the creation; the answer, whatever it is.
    pub async fn send(&self, http: &reqwest::Client, app: &TestApp) -> reqwest::Response {
        post_form(http, app, "directory/organisations/create", &[], &self.form).await
    }

    /// Creates it; its id (any answer but 200 fails the test).
    pub async fn create(&self, http: &reqwest::Client, app: &TestApp) -> i64 {
        ok_id(self.send(http, app).await).await
    }
}
