import ArgumentParser
import Foundation
import RewardWeightingCore

/// The input options shared by `hypervolume` and `front`: a JSON document (``ObjectiveDocument``) or a CSV
/// table of points (``CSVPoints``), with the reference point and the directions on the command line for CSV.
struct ObjectiveInputOptions: ParsableArguments {
    /// The two input formats.
    enum InputFormat: String, ExpressibleByArgument, CaseIterable {
        case json, csv
    }

    @Argument(
        help: ArgumentHelp("The input file, or '-' for standard input.", valueName: "file"))
    var file: String

    @Option(
        help: ArgumentHelp(
            "The input format. Default: csv when --reference is given; otherwise json when the input starts "
                + "with '{' or '[', else csv.",
            valueName: "json|csv"))
    var inputFormat: InputFormat?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "CSV: the reference point, comma-separated (e.g. 0,0,0 or -1,-1), in the input's own coordinates.",
            valueName: "r1,r2,..."))
    var reference: String?

    @Flag(help: "CSV: every objective is maximised (the default).")
    var maximize = false

    @Flag(help: "CSV: every objective is minimised.")
    var minimize = false

    @Option(
        help: ArgumentHelp("CSV: one direction per objective, e.g. max,min,max.", valueName: "d1,d2,..."))
    var directions: String?

    /// Reads and validates the input.
    /// - Parameter requireReference: whether a missing reference point is an error.
    func load(requireReference: Bool) throws(InputError) -> ObjectiveInput {
        let source = InputSource(path: self.file, label: "file")
        let bytes = try source.readAll()
        let format = self.inputFormat ?? (self.reference != nil ? .csv : Self.sniff(bytes))
        let input: ObjectiveInput
        switch format {
        case .json: input = try self.loadJSON(bytes, source: source)
        case .csv: input = try self.loadCSV(bytes, source: source)
        }
        if requireReference && input.reference == nil && format == .csv {
            throw InputError("--reference: missing; a hypervolume of CSV points needs a reference point")
        }
        if requireReference && input.reference == nil {
            throw InputError(
                "reference: missing; a hypervolume needs a reference point, e.g. \"reference\": [0, 0, 0]")
        }
        return input
    }

    /// JSON when the first non-whitespace byte opens an object (or an array, so that a bare list of points is
    /// reported as JSON without the expected object), CSV otherwise.
    private static func sniff(_ bytes: [UInt8]) -> InputFormat {
        let first = bytes.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .json : .csv
    }

    private func loadJSON(_ bytes: [UInt8], source: InputSource) throws(InputError) -> ObjectiveInput {
        if self.reference != nil {
            throw InputError("--reference: applies to CSV input; a JSON document gives \"reference\" itself")
        }
        if self.maximize || self.minimize || self.directions != nil {
            throw InputError(
                "--maximize, --minimize and --directions apply to CSV input; a JSON document gives \"maximize\"")
        }
        let document = try ObjectiveDocument(parsing: bytes, source: source.name)
        return try ObjectiveInput(
            rows: document.rows, reference: document.reference, directions: document.directions,
            names: document.nameCount.map { (field: "objectives", count: $0) })
    }

    private func loadCSV(_ bytes: [UInt8], source: InputSource) throws(InputError) -> ObjectiveInput {
        let table = try CSVPoints(parsing: bytes, source: source.name)
        let reference = try self.reference.map { (text) throws(InputError) in
            try parseNumberList(text, option: "--reference")
        }
        let directions = try self.csvDirections()
        return try ObjectiveInput(
            rows: table.rows, reference: reference, directions: directions,
            note: { error in
                guard error.field == "points", let row = error.row else { return nil }
                return "\(source.name) line \(table.lineNumbers[row])"
            })
    }

    private func csvDirections() throws(InputError) -> ObjectiveInput.Directions {
        let given = [self.maximize, self.minimize, self.directions != nil].filter { $0 }.count
        guard given <= 1 else {
            throw InputError("--maximize, --minimize and --directions: give at most one of them")
        }
        if self.minimize { return .all(.minimize) }
        guard let text = self.directions else { return .all(.maximize) }
        var list: [ObjectiveDirection] = []
        for (index, name) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            do throws(RewardWeightingCore.ValidationError) {
                list.append(try ObjectiveDirection(parsing: name.trimmingCharacters(in: .whitespaces)))
            } catch {
                throw InputError(error, context: "--directions: entry \(index)")
            }
        }
        return .each(list, field: "--directions")
    }
}
