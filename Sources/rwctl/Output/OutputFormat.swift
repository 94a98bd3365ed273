import ArgumentParser

/// How a `rwctl runs` command prints its answer.
///
/// - `table`: aligned columns for a person (the default on a terminal);
/// - `json`: the reply in proto3 JSON with the proto's field names and 64-bit integers as numbers (fields at
///   their default value — 0, false, empty — are omitted, as proto3 JSON does), for scripts and `jq` (the
///   default when standard output is not a terminal);
/// - `csv`: RFC 4180 rows with a header, for spreadsheets.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    case table
    case json
    case csv
}
