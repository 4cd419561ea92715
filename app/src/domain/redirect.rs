/// Where to send a user after login: only a local path of this site, never
/// another origin (`//evil.example`, `https://…`, `/\evil`), else the home page.
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control)
                && !path.starts_with("/api/") =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn keeps_local_paths() {
        assert_eq!(safe_next(Some("/equipe?x=1")), "/equipe?x=1");
        assert_eq!(safe_next(Some("/")), "/");
    }

    #[test]
    fn refuses_other_origins_and_oddities() {
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "equipe",
            "",
            "/a\nb",
            "/api/auth/logout",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
