import Foundation

/// The files of the live dashboard (`GET /`): the page, its script and style from the module's resource bundle
/// (``ResourceBundle``, `Resources/dashboard/`), and Chart.js from the system's JavaScript libraries.
///
/// No third-party code ships with the service: Chart.js is read from where Debian's `libjs-chart.js` installs it
/// (``defaultChartJSPath``, configurable). Without it the page draws every series as a plain table instead of a
/// chart. Every file is read once, when the server starts.
public struct DashboardAssets: Sendable {
    /// One file the dashboard routes answer with.
    struct File: Sendable {
        /// Its bytes.
        let contents: Data
        /// Its `Content-Type`.
        let contentType: String
    }

    /// Where Debian's `libjs-chart.js` installs the UMD build of Chart.js.
    public static let defaultChartJSPath = "/usr/share/javascript/chart.js/chart.min.js"

    /// The page's own files by name (`index.html`, `dashboard.js`, `dashboard.css`); empty when the resource
    /// bundle is missing.
    let files: [String: File]
    /// Chart.js, or `nil` when it was not found (the page then shows tables).
    let chartJS: File?
    /// Where Chart.js was looked for.
    public let chartJSPath: String?

    /// The page's files from the resource bundle and Chart.js from `chartJSPath` (`nil`: no charts, tables only).
    public init(chartJSPath: String? = Self.defaultChartJSPath) {
        let types = [
            "index.html": "text/html; charset=utf-8", "dashboard.js": "text/javascript; charset=utf-8",
            "dashboard.css": "text/css; charset=utf-8",
        ]
        var files: [String: File] = [:]
        for (name, type) in types {
            if let contents = ResourceBundle.contents(of: "dashboard/\(name)") {
                files[name] = File(contents: contents, contentType: type)
            }
        }
        self.files = files
        self.chartJSPath = chartJSPath
        self.chartJS = chartJSPath.flatMap { path in
            (try? Data(contentsOf: URL(fileURLWithPath: path))).map {
                File(contents: $0, contentType: "text/javascript; charset=utf-8")
            }
        }
    }

    /// Whether the page's own files were found (the resource bundle is installed next to the executable).
    public var hasPage: Bool { self.files["index.html"] != nil }

    /// Whether Chart.js was found, so that the page draws charts rather than tables.
    public var hasChartJS: Bool { self.chartJS != nil }
}
