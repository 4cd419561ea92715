//! Generated hostile requests against every server function and every page
//! route, as every role, on both backends (issue 14).
//!
//! Each case starts from a well-formed request (`it/forms.rs`, the routes of
//! the router) and mutates it: values replaced by absurd numbers and dates,
//! oversized, invalid or control-character text, markup and quotes; keys
//! dropped, doubled, nested, invented; bytes that are not UTF-8. Every
//! answer must come within 5 s, below 500, with no internal detail (SQL,
//! library or Rust text), and no handler may panic.
//!
//! The seed is printed; `MAILLAGE_FUZZ_SEED=N` replays a run and
//! `MAILLAGE_FUZZ_CASES=N` sets the number of cases per backend (default
//! 10 000). A test binary of its own: it renders thousands of pages.
#[allow(dead_code, unused_imports, unused_macros)]
#[path = "it/support/mod.rs"]
mod support;

#[allow(dead_code)]
#[path = "it/forms.rs"]
mod forms;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use app::domain::Role;
use app::server::services::territories::import_from_dir;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use support::{Backend, PASSWORD, TestApp, TestDb, call, client, create_user, login};

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Fragments that only internal detail would put in an answer.
const LEAKS: &[&str] = &[
    "panicked",
    "sqlx",
    "SQLite",
    "sqlite",
    "PostgreSQL",
    "postgres",
    "sea_orm",
    "sea-query",
    "DbErr",
    "SELECT ",
    "INSERT ",
    "syntax error",
    "alloc::",
    "core::",
    "std::",
    "app::",
    "server::",
    "invalid digit",
    "missing field",
    "invalid type",
    "unknown variant",
    "unknown field",
    "expected ",
    "Invalid URL",
    "Cannot parse",
    "Failed to",
    "length limit",
    "called `",
    "backtrace",
    "TryFromIntError",
];

/// Values people (and attackers) type where something else was expected.
fn hostile_text(rng: &mut StdRng) -> Vec<u8> {
    const FIXED: &[&str] = &[
        "",
        "   ",
        "0",
        "-1",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775807",
        "-9223372036854775808",
        "1e309",
        "NaN",
        "0x10",
        "1,5",
        "١٢٣",
        "0000-01-01",
        "0202-01-01",
        "1899-12-31",
        "-0001-01-01",
        "+99999-01-01",
        "2026-02-30",
        "31/12/9999",
        "2026-13-01",
        "on",
        "true",
        "null",
        "[]",
        "{}",
        "emergence",
        "completed",
        "blocked",
        "link",
        "account",
        "</title><script>window.__x=1</script>",
        "</textarea><svg onload=alert(1)>",
        "\"'><img src=x onerror=alert(1)>",
        "' OR '1'='1",
        "\"; DROP TABLE projects; --",
        "%_\\",
        "🏛️👩‍🌾",
        "\u{202E}gnp.exe",
        "e\u{301}\u{200B}\u{FEFF}",
        "\r\n\t",
        "=1+1",
        "@SUM(A1)",
    ];
    match rng.gen_range(0..10) {
        0 => {
            let n = *[201, 1_001, 2_001, 10_001, 50_000, 200_000]
                .choose(rng)
                .unwrap_or(&201);
            "é".repeat(n).into_bytes()
        }
        1 => {
            // Control characters, percent-encoded later.
            let c = *['\0', '\u{1}', '\u{1B}', '\u{7F}', '\u{8}']
                .choose(rng)
                .unwrap_or(&'\0');
            format!("a{c}b").into_bytes()
        }
        _ => FIXED.choose(rng).copied().unwrap_or("").as_bytes().to_vec(),
    }
}

/// Bytes put in a body or query as they are, not percent-encoded.
fn raw_bytes(rng: &mut StdRng) -> Vec<u8> {
    let choices: &[&[u8]] = &[
        b"\xff\xfe",
        b"%",
        b"%G1",
        b"%FF%FE",
        b"%C3%28",
        b"a&b=c",
        b"==",
        b"%00",
        b"[",
        b"]]",
    ];
    choices.choose(rng).copied().unwrap_or(b"%").to_vec()
}

fn encode(bytes: &[u8]) -> Vec<u8> {
    form_urlencoded::byte_serialize(bytes)
        .collect::<String>()
        .into_bytes()
}

/// One pair of a body or query string, as it goes on the wire.
#[derive(Clone)]
struct Pair {
    key: Vec<u8>,
    value: Vec<u8>,
}

impl Pair {
    fn encoded(key: &str, value: &[u8]) -> Self {
        Pair {
            key: encode(key.as_bytes()),
            value: encode(value),
        }
    }
}

fn join(pairs: &[Pair]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, p) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(&p.key);
        out.push(b'=');
        out.extend_from_slice(&p.value);
    }
    out
}

/// Mutates a well-formed list of pairs one to three times.
fn mutate(rng: &mut StdRng, pairs: &mut Vec<Pair>, known_keys: &[&str]) {
    for _ in 0..rng.gen_range(1..=3) {
        match rng.gen_range(0..10) {
            0..=3 if !pairs.is_empty() => {
                let i = rng.gen_range(0..pairs.len());
                pairs[i].value = encode(&hostile_text(rng));
            }
            4 if !pairs.is_empty() => {
                let i = rng.gen_range(0..pairs.len());
                pairs[i].value = raw_bytes(rng);
            }
            5 if !pairs.is_empty() => {
                let i = rng.gen_range(0..pairs.len());
                pairs.remove(i);
            }
            6 if !pairs.is_empty() => {
                let i = rng.gen_range(0..pairs.len());
                let copy = pairs[i].clone();
                pairs.push(copy);
            }
            7 => {
                let key = *[
                    "form[inconnu]",
                    "form[communes][99999999999]",
                    "form[a][b][c][d][e][f][g]",
                    "form[]",
                    "form",
                    "id[]",
                    "filter[page][x]",
                    "",
                ]
                .choose(rng)
                .unwrap_or(&"x");
                pairs.push(Pair::encoded(key, &hostile_text(rng)));
            }
            8 => {
                if let Some(key) = known_keys.choose(rng) {
                    pairs.push(Pair::encoded(key, &hostile_text(rng)));
                }
            }
            _ if !pairs.is_empty() => {
                let i = rng.gen_range(0..pairs.len());
                pairs[i].key = raw_bytes(rng);
            }
            _ => {}
        }
    }
}

/// The parameters the pages read from their URL.
const PAGE_PARAMS: &[&str] = &[
    "q",
    "etape",
    "sante",
    "charge",
    "commune",
    "epci",
    "departement",
    "programme",
    "theme",
    "depuis",
    "actifs",
    "entre",
    "sorti",
    "evenement",
    "vigilance",
    "financeur",
    "echeance",
    "tri",
    "page",
    "type",
    "mandat",
    "erreur",
    "suivant",
    "deconnecte",
    "expiree",
];

/// Ids as a URL may hold them.
fn hostile_id(rng: &mut StdRng, valid: i64) -> String {
    let choices = [
        valid.to_string(),
        valid.to_string(),
        "0".into(),
        "-1".into(),
        "abc".into(),
        "99999999999999999999".into(),
        "%00".into(),
        "%FF".into(),
        "..%2F..%2Fetc".into(),
        "1%20OR%201".into(),
        "9".repeat(300),
    ];
    choices.choose(rng).cloned().unwrap_or_default()
}

/// Keys of the well-formed forms, for adding pairs the function does take.
fn form_keys(pairs: &[(String, String)]) -> Vec<&str> {
    pairs.iter().map(|(k, _)| k.as_str()).collect()
}

struct Target {
    path: String,
    form: bool,
}

struct Corpus {
    functions: Vec<String>,
    pages: Vec<String>,
}

impl Corpus {
    fn new() -> Self {
        let functions: Vec<String> = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.to_owned())
            // Logging out would end the role's session for the rest of the run.
            .filter(|p| p != "/api/auth/logout")
            .collect();
        let mut pages: Vec<String> = server::router::route_list()
            .iter()
            .map(|r| r.path().to_owned())
            .collect();
        pages.extend(
            server::router::extra_routes()
                .into_iter()
                .map(|(path, _)| path.to_owned()),
        );
        pages.push("/page-inconnue".into());
        pages.push("/pkg/maillage.css".into());
        Self { functions, pages }
    }

    fn pick(&self, rng: &mut StdRng) -> Target {
        if rng.gen_bool(0.5) {
            Target {
                path: self.functions.choose(rng).cloned().unwrap_or_default(),
                form: true,
            }
        } else {
            Target {
                path: self.pages.choose(rng).cloned().unwrap_or_default(),
                form: false,
            }
        }
    }
}

/// What the fixtures created, for well-formed ids and a live share link.
struct Fixtures {
    project: i64,
    organisation: i64,
    person: i64,
    token: String,
}

async fn ok_json(res: reqwest::Response) -> serde_json::Value {
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("json")
}

async fn fixtures(app: &TestApp) -> Fixtures {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/decoupage");
    import_from_dir(&app.db, &dir).await.expect("fixture");
    for role in Role::ALL {
        create_user(&app.db, &format!("{role}@cc-exemple.fr"), role).await;
    }
    let officer = client();
    login(&officer, app, "officer@cc-exemple.fr", PASSWORD).await;
    let project = ok_json(
        call(
            &officer,
            app,
            "projects/create",
            &[
                ("form[title]", "Halle de marché"),
                ("form[communes][0]", "15187"),
            ],
        )
        .await,
    )
    .await
    .as_i64()
    .expect("project");
    let pid = project.to_string();
    ok_json(
        call(
            &officer,
            app,
            "milestones/add",
            &[
                ("project_id", &pid),
                ("form[kind]", "decision"),
                ("form[title]", "Délibération"),
                ("form[due_date]", "2026-12-01"),
            ],
        )
        .await,
    )
    .await;
    ok_json(
        call(
            &officer,
            app,
            "notes/add",
            &[("project_id", &pid), ("form[body]", "Réunion")],
        )
        .await,
    )
    .await;
    let share = ok_json(
        call(
            &officer,
            app,
            "shares/create",
            &[
                ("project_id", &pid),
                ("form[target]", "link"),
                ("form[milestones]", "on"),
                ("form[notes]", "on"),
                ("form[funding]", "on"),
                ("form[partners]", "on"),
            ],
        )
        .await,
    )
    .await;
    let organisation = ok_json(
        call(
            &officer,
            app,
            "directory/organisations/create",
            &[
                ("form[name]", "Association test"),
                ("form[kind]", "association"),
            ],
        )
        .await,
    )
    .await
    .as_i64()
    .expect("organisation");
    let person = ok_json(
        call(
            &officer,
            app,
            "directory/people/create",
            &[("form[first_name]", "Léa"), ("form[last_name]", "Roux")],
        )
        .await,
    )
    .await
    .as_i64()
    .expect("person");
    Fixtures {
        project,
        organisation,
        person,
        token: share["token"].as_str().expect("token").to_owned(),
    }
}

/// One request of the corpus: the path, the method, the body.
fn build(
    rng: &mut StdRng,
    target: &Target,
    fx: &Fixtures,
    tag: usize,
) -> (String, Option<Vec<u8>>) {
    if target.form {
        let form = forms::form_for(&target.path, &format!("fuzz{tag}"));
        let keys: Vec<String> = form_keys(&form).into_iter().map(str::to_owned).collect();
        let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let mut pairs: Vec<Pair> = form
            .iter()
            .map(|(k, v)| Pair::encoded(k, v.as_bytes()))
            .collect();
        if rng.gen_range(0..20) == 0 {
            // Now and then, a body that is not a form at all.
            let junk: Vec<u8> = (0..rng.gen_range(0..200))
                .map(|_| rng.r#gen::<u8>())
                .collect();
            return (target.path.clone(), Some(junk));
        }
        mutate(rng, &mut pairs, &key_refs);
        (target.path.clone(), Some(join(&pairs)))
    } else {
        let id = if target.path.starts_with("/annuaire/organisations") {
            fx.organisation
        } else if target.path.starts_with("/annuaire/personnes") {
            fx.person
        } else {
            fx.project
        };
        let mut path = target.path.replace("{id}", &hostile_id(rng, id));
        path = path.replace(
            "{token}",
            if rng.gen_bool(0.5) { &fx.token } else { "0000" },
        );
        let mut pairs = Vec::new();
        for _ in 0..rng.gen_range(0..4) {
            if let Some(name) = PAGE_PARAMS.choose(rng) {
                // Addresses stay under 20 000 bytes, as browsers and proxies
                // keep them.
                let mut value = hostile_text(rng);
                value.truncate(2_000);
                let value = String::from_utf8_lossy(&value).into_owned();
                pairs.push(Pair::encoded(name, value.as_bytes()));
            }
        }
        if rng.gen_range(0..6) == 0 {
            pairs.push(Pair {
                key: b"q".to_vec(),
                value: raw_bytes(rng)
                    .into_iter()
                    .filter(|b| b.is_ascii_graphic())
                    .collect(),
            });
        }
        if !pairs.is_empty() {
            let query = String::from_utf8_lossy(&join(&pairs)).into_owned();
            path = format!("{path}?{query}");
        }
        (path, None)
    }
}

async fn fuzz(backend: Backend, seed: u64, cases: usize) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    let fx = fixtures(&app).await;
    let mut sessions = vec![("anonymous".to_owned(), client())];
    for role in Role::ALL {
        let http = client();
        let res = login(&http, &app, &format!("{role}@cc-exemple.fr"), PASSWORD).await;
        assert_eq!(res.status(), 200);
        sessions.push((role.as_str().to_owned(), http));
    }
    let corpus = Corpus::new();
    assert!(corpus.functions.len() >= 50, "{:?}", corpus.functions);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut reached: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut bodies = 0usize;
    let started = Instant::now();
    for case in 0..cases {
        let target = corpus.pick(&mut rng);
        let (who, http) = sessions.choose(&mut rng).expect("session");
        let (path, body) = build(&mut rng, &target, &fx, case);
        let request = match &body {
            Some(bytes) => {
                bodies += 1;
                http.post(app.url(&path))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(bytes.clone())
            }
            None => http.get(app.url(&path)),
        };
        *reached.entry(target.path.clone()).or_default() += 1;
        let describe = || {
            let body = body
                .as_ref()
                .map(|b| String::from_utf8_lossy(&b[..b.len().min(300)]).into_owned())
                .unwrap_or_default();
            let path: String = path.chars().take(300).collect();
            format!("case {case} ({who}) {path} {body}")
        };
        let res = match tokio::time::timeout(Duration::from_secs(5), request.send()).await {
            Err(_) => {
                failures.push(format!("no answer in 5 s: {}", describe()));
                continue;
            }
            Ok(Err(err)) => {
                // The whole chain (hyper's cause says whether the
                // connection was closed under a reused request).
                let mut chain = err.to_string();
                let mut source = std::error::Error::source(&err);
                while let Some(cause) = source {
                    chain.push_str(&format!(" ← {cause}"));
                    source = cause.source();
                }
                failures.push(format!("connection failed ({chain}): {}", describe()));
                continue;
            }
            Ok(Ok(res)) => res,
        };
        let status = res.status().as_u16();
        *statuses.entry(status).or_default() += 1;
        let text = match tokio::time::timeout(Duration::from_secs(5), res.text()).await {
            Ok(Ok(text)) => text,
            _ => {
                failures.push(format!("body not read in 5 s: {}", describe()));
                continue;
            }
        };
        if status >= 500 {
            failures.push(format!(
                "{status}: {} → {}",
                describe(),
                &text[..text.len().min(300)]
            ));
        }
        // The health check names its database backend on purpose (for
        // operations); everything else must not.
        let checked = !path.starts_with("/healthz");
        if let Some(leak) = LEAKS.iter().find(|l| checked && text.contains(**l)) {
            let at = text.find(leak).unwrap_or(0);
            let from = text[..at]
                .char_indices()
                .rev()
                .nth(80)
                .map_or(0, |(i, _)| i);
            let excerpt: String = text[from..].chars().take(200).collect();
            failures.push(format!("leaks {leak:?}: {} → …{excerpt}…", describe()));
        }
        if failures.len() >= 20 {
            break;
        }
    }
    let elapsed = started.elapsed();
    println!(
        "fuzz {backend:?}: seed {seed}, {cases} cases ({bodies} server-function bodies) in {:.1} s; statuses {statuses:?}",
        elapsed.as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "seed {seed} (MAILLAGE_FUZZ_SEED={seed} replays it), {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let unreached: Vec<&String> = corpus
        .functions
        .iter()
        .chain(corpus.pages.iter())
        .filter(|p| !reached.contains_key(*p))
        .collect();
    assert!(unreached.is_empty(), "never tried: {unreached:?}");
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "a handler panicked");
    // Still serving, and the fixtures still read.
    let officer = &sessions
        .iter()
        .find(|(who, _)| who == "officer")
        .expect("officer")
        .1;
    let res = call(
        officer,
        &app,
        "projects/get",
        &[("id", &fx.project.to_string())],
    )
    .await;
    assert_eq!(res.status(), 200);
    app.stop().await;
    test_db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_never_break_the_server() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let seed = std::env::var("MAILLAGE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_secs())
        });
    let cases = std::env::var("MAILLAGE_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    println!("fuzz seed {seed} (MAILLAGE_FUZZ_SEED={seed} to replay), {cases} cases per backend");
    fuzz(Backend::Postgres, seed, cases).await;
    fuzz(Backend::Sqlite, seed, cases).await;
}
