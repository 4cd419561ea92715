//! Configuration, read only from environment variables (and `.env`, loaded by
//! the binary). Every variable is documented in `.env.example`.
use std::env;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` or `sqlite://…`; default: an SQLite file under `data/`.
    pub database_url: String,
    /// Public URL of the site; `https://…` turns on Secure cookies.
    pub public_url: Option<String>,
    /// Session ends after this long without a request.
    pub session_idle: Duration,
    /// Session ends this long after login, active or not.
    pub session_absolute: Duration,
    /// Failed logins in a row before an account is locked.
    pub max_failed_logins: i32,
    /// How long a locked account stays locked.
    pub lockout: Duration,
    /// Login attempts allowed per client IP per minute.
    pub login_attempts_per_ip_per_minute: u32,
    /// Take the client IP from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Share-link page requests allowed per client IP per minute (guessing
    /// tokens is rate-limited).
    pub share_requests_per_ip_per_minute: u32,
    /// The structure's name, on the pages shared with partners.
    pub structure_name: String,
    /// `/metrics` answers a request bearing `Authorization: Bearer <token>`…
    pub metrics_token: Option<String>,
    /// …or coming from one of these addresses (the TCP peer, never
    /// `X-Forwarded-For`). Neither set: `/metrics` is closed (404).
    pub metrics_allow: Vec<IpAddr>,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// The database connections opened at most (`DATABASE_POOL_SIZE`,
    /// 1–200); `None`: `db::connect`'s default.
    pub database_pool: Option<u32>,
    /// Pages (GET and HEAD requests, static files aside) rendered at once;
    /// more wait their turn. Each render holds its page and its rows in
    /// memory, and the cores are busy well before this many.
    pub max_concurrent_pages: usize,
    /// A connection with no byte read or written for this long is closed
    /// (idle keep-alive, or a client too slow to send or read).
    pub idle_timeout: Duration,
    /// `/healthz` and `/metrics` also answer on this address, outside the
    /// connection limit: a probe still gets its answer while every slot
    /// of the public listener is held (keep it off the public proxy).
    pub ops_addr: Option<SocketAddr>,
    /// The structure's time zone (`TIME_ZONE`, an IANA name): times shown
    /// and "today" are read in it.
    pub time_zone: chrono_tz::Tz,
    /// How mail leaves: an SMTP server, or the outbox when none is set.
    pub mail: MailConfig,
    /// Where documents are kept, and their limits.
    pub documents: DocumentsConfig,
}

/// The project's documents (issue 21).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentsConfig {
    /// The store's directory (`DOCUMENTS_DIR`, default `data/documents`):
    /// back it up with the database (README, « Sauvegardes »).
    pub dir: std::path::PathBuf,
    /// The largest file (`DOCUMENT_MAX_MB`, default 50).
    pub max_file_bytes: u64,
    /// The most one project's documents weigh, all versions counted
    /// (`DOCUMENT_PROJECT_MAX_MB`, default 2 048).
    pub max_project_bytes: u64,
    /// Days a deleted document's contents are kept
    /// (`DOCUMENT_RETENTION_DAYS`, default 30; 0 removes them at the next
    /// daily purge).
    pub retention_days: i64,
    /// S3-compatible object storage for the contents, instead of `dir`
    /// (`DOCUMENTS_S3_BUCKET` and its companions); `dir` then holds only
    /// the uploads being received.
    pub s3: Option<S3Config>,
}

/// Where and how to reach the S3-compatible storage (`DOCUMENTS_S3_*`).
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    /// The service's address (`https://s3.fr-par.scw.cloud`, a MinIO's…);
    /// none: Amazon's for the region.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Put before every key (`maillage/`), to share a bucket.
    pub prefix: String,
}

impl std::fmt::Debug for S3Config {
    /// Never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        use crate::domain::document::{
            DEFAULT_MAX_FILE_MB, DEFAULT_MAX_PROJECT_MB, DEFAULT_RETENTION_DAYS,
        };
        DocumentsConfig {
            dir: "data/documents".into(),
            max_file_bytes: DEFAULT_MAX_FILE_MB * 1024 * 1024,
            max_project_bytes: DEFAULT_MAX_PROJECT_MB * 1024 * 1024,
            retention_days: DEFAULT_RETENTION_DAYS,
            s3: None,
        }
    }
}

const MB: u64 = 1024 * 1024;

fn documents() -> Result<DocumentsConfig, ConfigError> {
    let default = DocumentsConfig::default();
    Ok(DocumentsConfig {
        dir: var("DOCUMENTS_DIR").map_or(default.dir, Into::into),
        max_file_bytes: number("DOCUMENT_MAX_MB", default.max_file_bytes / MB)?
            .max(1)
            .saturating_mul(MB),
        max_project_bytes: number("DOCUMENT_PROJECT_MAX_MB", default.max_project_bytes / MB)?
            .max(1)
            .saturating_mul(MB),
        retention_days: number("DOCUMENT_RETENTION_DAYS", default.retention_days)?.max(0),
        s3: s3(var)?,
    })
}

/// `DOCUMENTS_S3_BUCKET` turns object storage on; its keys are then
/// required, and the endpoint must be an http(s) address.
fn s3(var: impl Fn(&str) -> Option<String>) -> Result<Option<S3Config>, ConfigError> {
    let Some(bucket) = var("DOCUMENTS_S3_BUCKET") else {
        return Ok(None);
    };
    let required = |name: &'static str| var(name).ok_or(ConfigError::S3Missing(name));
    let endpoint = var("DOCUMENTS_S3_ENDPOINT").map(|e| e.trim().trim_end_matches('/').to_owned());
    if let Some(e) = &endpoint
        && !(e.starts_with("https://") || e.starts_with("http://"))
    {
        return Err(ConfigError::S3Endpoint(e.clone()));
    }
    Ok(Some(S3Config {
        bucket: bucket.trim().to_owned(),
        endpoint,
        region: var("DOCUMENTS_S3_REGION").unwrap_or_else(|| "us-east-1".to_owned()),
        access_key_id: required("DOCUMENTS_S3_ACCESS_KEY_ID")?,
        secret_access_key: required("DOCUMENTS_S3_SECRET_ACCESS_KEY")?,
        prefix: var("DOCUMENTS_S3_PREFIX").unwrap_or_default(),
    }))
}

/// How the TLS of the SMTP connection is made (`SMTP_TLS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (port 587 by default).
    StartTls,
    /// TLS from the first byte (SMTPS, port 465 by default).
    Tls,
    /// No encryption: a relay on the same host or network only (port 25).
    None,
}

#[derive(Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `SMTP_HOST` and the rest; `None`: mail goes to the outbox.
    pub smtp: Option<Smtp>,
    /// The sender (`MAIL_FROM`), e.g. `Maillage <maillage@pays.example.fr>`.
    pub from: String,
    /// How often the scheduler plans and sends (`MAIL_TICK_SECONDS`).
    pub tick: Duration,
    /// `MAIL_SCHEDULER=off` stops this instance planning and sending.
    pub scheduler: bool,
}

pub const DEFAULT_MAIL_FROM: &str = "Maillage <maillage@localhost>";

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp: None,
            from: DEFAULT_MAIL_FROM.to_owned(),
            tick: Duration::from_secs(60),
            scheduler: true,
        }
    }
}

/// The shortest `METRICS_TOKEN` accepted.
pub const METRICS_TOKEN_MIN: usize = 24;
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
pub const DEFAULT_MAX_CONCURRENT_PAGES: usize = 16;
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The structure's name when `STRUCTURE_NAME` is not set.
pub const DEFAULT_STRUCTURE_NAME: &str = "Maillage";

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/maillage.db?mode=rwc";

/// A setting of the environment that cannot be used, in French, naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} : « {value} » n’est pas un nombre valide")]
    NotANumber { name: &'static str, value: String },
    #[error("METRICS_TOKEN : le jeton doit compter au moins {METRICS_TOKEN_MIN} caractères")]
    MetricsTokenTooShort,
    #[error("{name} : « {value} » n’est pas une adresse IP")]
    NotAnAddress { name: &'static str, value: String },
    #[error(
        "{name} : « {value} » n’est pas une adresse suivie d’un port (par exemple 127.0.0.1:9090)"
    )]
    NotASocketAddress { name: &'static str, value: String },
    #[error(
        "TIME_ZONE : « {0} » n’est pas un fuseau horaire connu (un nom IANA, par exemple Europe/Paris, America/Cayenne, Indian/Reunion)"
    )]
    NotATimeZone(String),
    #[error("SMTP_TLS : « {0} » n’est pas une valeur reconnue (starttls, tls ou none)")]
    NotATlsMode(String),
    #[error("MAIL_FROM : « {0} » n’est pas une adresse d’expéditeur valide")]
    NotASender(String),
    #[error(
        "PUBLIC_URL : obligatoire avec SMTP_HOST (les liens des courriels, dont celui de désabonnement, doivent mener au site)"
    )]
    SmtpWithoutPublicUrl,
    #[error("{0} : obligatoire avec DOCUMENTS_S3_BUCKET")]
    S3Missing(&'static str),
    #[error("DOCUMENTS_S3_ENDPOINT : « {0} » n’est pas une adresse http:// ou https://")]
    S3Endpoint(String),
}

fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| ConfigError::NotANumber { name, value: raw }),
    }
}

fn metrics_token(raw: Option<String>) -> Result<Option<String>, ConfigError> {
    match raw {
        Some(token) if token.trim().chars().count() < METRICS_TOKEN_MIN => {
            Err(ConfigError::MetricsTokenTooShort)
        }
        other => Ok(other.map(|t| t.trim().to_owned())),
    }
}

/// A comma-separated list of IP addresses.
fn addresses(name: &'static str, raw: Option<&str>) -> Result<Vec<IpAddr>, ConfigError> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            a.parse().map_err(|_| ConfigError::NotAnAddress {
                name,
                value: a.to_owned(),
            })
        })
        .collect()
}

/// An `address:port` setting, spaces around it ignored.
fn socket_address(
    name: &'static str,
    raw: Option<String>,
) -> Result<Option<SocketAddr>, ConfigError> {
    raw.map(|raw| {
        raw.trim()
            .parse()
            .map_err(|_| ConfigError::NotASocketAddress { name, value: raw })
    })
    .transpose()
}

/// `TIME_ZONE`, Europe/Paris when unset.
fn time_zone(raw: Option<String>) -> Result<chrono_tz::Tz, ConfigError> {
    match raw {
        None => Ok(crate::server::clock::DEFAULT_ZONE),
        Some(name) => {
            crate::server::clock::parse_zone(&name).ok_or(ConfigError::NotATimeZone(name))
        }
    }
}

/// `SMTP_*`, `MAIL_FROM`, `MAIL_TICK_SECONDS`, `MAIL_SCHEDULER`.
fn mail() -> Result<MailConfig, ConfigError> {
    let tls = match var("SMTP_TLS").map(|v| v.trim().to_lowercase()).as_deref() {
        None | Some("starttls") => SmtpTls::StartTls,
        Some("tls") => SmtpTls::Tls,
        Some("none") => SmtpTls::None,
        Some(other) => return Err(ConfigError::NotATlsMode(other.to_owned())),
    };
    let default_port = match tls {
        SmtpTls::StartTls => 587,
        SmtpTls::Tls => 465,
        SmtpTls::None => 25,
    };
    let smtp = match var("SMTP_HOST") {
        None => None,
        Some(host) => Some(Smtp {
            host: host.trim().to_owned(),
            port: number("SMTP_PORT", default_port)?,
            tls,
            user: var("SMTP_USER"),
            password: var("SMTP_PASSWORD"),
        }),
    };
    let from = var("MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned());
    if from.trim().parse::<lettre::message::Mailbox>().is_err() {
        return Err(ConfigError::NotASender(from));
    }
    Ok(MailConfig {
        smtp,
        from: from.trim().to_owned(),
        tick: Duration::from_secs(number("MAIL_TICK_SECONDS", 60u64)?.max(1)),
        scheduler: !matches!(
            var("MAIL_SCHEDULER").as_deref(),
            Some("off" | "0" | "false")
        ),
    })
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let config = Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            public_url: var("PUBLIC_URL"),
            session_idle: Duration::from_secs(60 * number("SESSION_IDLE_MINUTES", 120u64)?),
            session_absolute: Duration::from_secs(3600 * number("SESSION_ABSOLUTE_HOURS", 12u64)?),
            max_failed_logins: number("LOGIN_MAX_FAILURES", 5i32)?,
            lockout: Duration::from_secs(60 * number("LOGIN_LOCKOUT_MINUTES", 15u64)?),
            login_attempts_per_ip_per_minute: number("LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", 20u32)?
                .max(1),
            trust_proxy: matches!(var("TRUST_PROXY").as_deref(), Some("1" | "true" | "yes")),
            share_requests_per_ip_per_minute: number("SHARE_REQUESTS_PER_IP_PER_MINUTE", 30u32)?
                .max(1),
            structure_name: var("STRUCTURE_NAME")
                .unwrap_or_else(|| DEFAULT_STRUCTURE_NAME.to_owned()),
            metrics_token: metrics_token(var("METRICS_TOKEN"))?,
            metrics_allow: addresses("METRICS_ALLOW", var("METRICS_ALLOW").as_deref())?,
            max_connections: number("MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS)?.max(1),
            database_pool: match number("DATABASE_POOL_SIZE", 0u32)? {
                0 => None,
                n => Some(n.min(200)),
            },
            max_concurrent_pages: number("MAX_CONCURRENT_PAGES", DEFAULT_MAX_CONCURRENT_PAGES)?
                .max(1),
            idle_timeout: Duration::from_secs(
                number("IDLE_TIMEOUT_SECONDS", DEFAULT_IDLE_TIMEOUT.as_secs())?.max(1),
            ),
            ops_addr: socket_address("OPS_ADDR", var("OPS_ADDR"))?,
            time_zone: time_zone(var("TIME_ZONE"))?,
            mail: mail()?,
            documents: documents()?,
        };
        if config.mail.smtp.is_some() && config.public_url.is_none() {
            return Err(ConfigError::SmtpWithoutPublicUrl);
        }
        Ok(config)
    }

    /// A configuration for the given database with the default policies.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            public_url: None,
            session_idle: Duration::from_secs(120 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            max_failed_logins: 5,
            lockout: Duration::from_secs(15 * 60),
            login_attempts_per_ip_per_minute: 20,
            trust_proxy: false,
            share_requests_per_ip_per_minute: 30,
            structure_name: DEFAULT_STRUCTURE_NAME.to_owned(),
            metrics_token: None,
            metrics_allow: Vec::new(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            database_pool: None,
            max_concurrent_pages: DEFAULT_MAX_CONCURRENT_PAGES,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            ops_addr: None,
            time_zone: crate::server::clock::DEFAULT_ZONE,
            mail: MailConfig::default(),
            documents: DocumentsConfig::default(),
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_zone_is_an_iana_name() {
        assert_eq!(time_zone(None), Ok(chrono_tz::Europe::Paris));
        assert_eq!(
            time_zone(Some("Indian/Reunion".into())),
            Ok(chrono_tz::Indian::Reunion)
        );
        assert_eq!(
            time_zone(Some("Paris".into())).unwrap_err().to_string(),
            "TIME_ZONE : « Paris » n’est pas un fuseau horaire connu (un nom IANA, par exemple Europe/Paris, America/Cayenne, Indian/Reunion)"
        );
    }

    #[test]
    fn object_storage_needs_its_keys_and_an_http_address() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(s3(env(&[])), Ok(None));
        assert_eq!(
            s3(env(&[("DOCUMENTS_S3_BUCKET", "maillage")]))
                .unwrap_err()
                .to_string(),
            "DOCUMENTS_S3_ACCESS_KEY_ID : obligatoire avec DOCUMENTS_S3_BUCKET"
        );
        assert_eq!(
            s3(env(&[
                ("DOCUMENTS_S3_BUCKET", "maillage"),
                ("DOCUMENTS_S3_ACCESS_KEY_ID", "id"),
                ("DOCUMENTS_S3_SECRET_ACCESS_KEY", "secret"),
                ("DOCUMENTS_S3_ENDPOINT", "s3.fr-par.scw.cloud"),
            ]))
            .unwrap_err()
            .to_string(),
            "DOCUMENTS_S3_ENDPOINT : « s3.fr-par.scw.cloud » n’est pas une adresse http:// ou https://"
        );
        let config = s3(env(&[
            ("DOCUMENTS_S3_BUCKET", "maillage"),
            ("DOCUMENTS_S3_ACCESS_KEY_ID", "id"),
            ("DOCUMENTS_S3_SECRET_ACCESS_KEY", "secret"),
            ("DOCUMENTS_S3_ENDPOINT", "https://s3.fr-par.scw.cloud/"),
        ]))
        .expect("valid")
        .expect("on");
        assert_eq!(
            config.endpoint.as_deref(),
            Some("https://s3.fr-par.scw.cloud")
        );
        assert_eq!(config.region, "us-east-1");
        assert_eq!(config.prefix, "");
    }

    #[test]
    fn metrics_settings_are_checked() {
        assert_eq!(metrics_token(None), Ok(None));
        assert_eq!(
            metrics_token(Some("court".into())).unwrap_err().to_string(),
            "METRICS_TOKEN : le jeton doit compter au moins 24 caractères"
        );
        assert_eq!(
            metrics_token(Some(format!(" {} ", "t".repeat(24)))),
            Ok(Some("t".repeat(24)))
        );
        assert_eq!(
            addresses("METRICS_ALLOW", Some("127.0.0.1, ::1,")),
            Ok(vec![
                IpAddr::from([127, 0, 0, 1]),
                "::1".parse::<IpAddr>().expect("ip")
            ])
        );
        assert_eq!(
            addresses("METRICS_ALLOW", Some("10.0.0.0/8"))
                .unwrap_err()
                .to_string(),
            "METRICS_ALLOW : « 10.0.0.0/8 » n’est pas une adresse IP"
        );
        assert_eq!(addresses("METRICS_ALLOW", None), Ok(vec![]));
    }

    #[test]
    fn the_operations_address_is_checked() {
        assert_eq!(socket_address("OPS_ADDR", None), Ok(None));
        assert_eq!(
            socket_address("OPS_ADDR", Some(" 127.0.0.1:9090 ".into())),
            Ok(Some(SocketAddr::from(([127, 0, 0, 1], 9090))))
        );
        for bad in ["127.0.0.1", "localhost:9090", ":9090", "127.0.0.1:99999"] {
            let err = socket_address("OPS_ADDR", Some(bad.into())).unwrap_err();
            assert!(err.to_string().starts_with("OPS_ADDR : "), "{bad}: {err}");
            assert!(err.to_string().contains(bad), "{bad}: {err}");
        }
    }
}
