//! A page URL (or its query string) pasted on the command line: the page's settings.

use convlens_web::settings::Settings;

use crate::Failure;

/// The settings a page URL holds, and whether it names a `size`.
///
/// Accepts a whole URL (`http://…/?kernel=blur#x`), a query (`?kernel=blur` or
/// `kernel=blur`), or a page address without a query (every setting at its default).
///
/// # Errors
/// Any parameter the page would warn about (unknown, repeated or invalid), all listed.
pub fn settings(url: &str) -> Result<(Settings, bool), Failure> {
    let query = query(url);
    let (settings, warnings) = Settings::from_query(query);
    if !warnings.is_empty() {
        return Err(Failure::usage(format!(
            "the URL has settings the page would not use:\n  {}",
            warnings
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n  ")
        )));
    }
    let names_size = query
        .split('&')
        .any(|pair| pair.split('=').next() == Some("size"));
    Ok((settings, names_size))
}

/// The query part of a page URL (or the text itself if it is already a query).
fn query(url: &str) -> &str {
    let url = url.trim();
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    match url.split_once('?') {
        Some((_, query)) => query,
        // A page address without a query: every setting at its default.
        None if url.contains("://") || url.starts_with('/') => "",
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_queries_and_addresses() {
        assert_eq!(query("http://localhost:8000/?stride=2#top"), "stride=2");
        assert_eq!(query("?stride=2"), "stride=2");
        assert_eq!(query(" view=pool&pool=min "), "view=pool&pool=min");
        assert_eq!(query("http://localhost:8000/"), "");
        assert_eq!(query("file:///home/me/www/index.html"), "");
        assert!(settings("%%%").is_err());
        let (settings, names_size) = settings("https://x.org/convlens/?size=64&stride=3").unwrap();
        assert_eq!((settings.size, settings.stride, names_size), (64, 3, true));
        assert!(!super::settings("stride=3").unwrap().1);
        let message = super::settings("?stride=0&zoom=1").unwrap_err().message;
        assert!(message.contains("stride must be"), "{message}");
        assert!(
            message.contains("the parameter 'zoom' is not known"),
            "{message}"
        );
    }
}
