import Foundation
import Testing

@Suite("rwctl hypervolume")
struct HypervolumeCommandTests {
    /// The staircase (1,3), (2,2), (3,1) over the origin: area 6, each point owning one unit square alone.
    static let staircase = #"{"reference": [0, 0], "points": [[1, 3], [2, 2], [3, 1]]}"#

    @Test("a 2-D staircase has hypervolume 6 and prints exactly one JSON object with one key")
    func knownValue() async throws {
        let run = try await RwctlRun.run(["hypervolume", "-"], stdin: Self.staircase)
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        let object = try run.jsonObject()
        #expect(Set(object.keys) == ["hypervolume"])
        #expect(number(object["hypervolume"]) == 6)
    }

    @Test("--contributions adds one exclusive contribution per point, in input order")
    func contributions() async throws {
        let run = try await RwctlRun.run(["hypervolume", "-", "--contributions"], stdin: Self.staircase)
        #expect(run.status == 0)
        let object = try run.jsonObject()
        #expect(Set(object.keys) == ["hypervolume", "contributions"])
        #expect(number(object["hypervolume"]) == 6)
        #expect(numbers(object["contributions"]) == [1, 1, 1])
    }

    @Test("a point given twice contributes 0 for each copy")
    func duplicates() async throws {
        let input = #"{"reference": [0, 0], "points": [[1, 3], [2, 2], [3, 1], [2, 2]]}"#
        let run = try await RwctlRun.run(["hypervolume", "-", "--contributions"], stdin: input)
        let object = try run.jsonObject()
        #expect(number(object["hypervolume"]) == 6)
        #expect(numbers(object["contributions"]) == [1, 0, 1, 0])
    }

    @Test(
        "minimised objectives are negated in the points and the reference",
        arguments: [
            #"{"reference": [0, 0], "points": [[1, -3], [2, -2], [3, -1]], "maximize": [true, false]}"#,
            #"{"reference": [0, 0], "points": [[-1, -3], [-2, -2], [-3, -1]], "maximize": false}"#,
            #"{"reference": [4, 4], "points": [[3, 1], [2, 2], [1, 3]], "maximize": false}"#,
        ])
    func minimization(input: String) async throws {
        let run = try await RwctlRun.run(["hypervolume", "-", "--contributions"], stdin: input)
        #expect(run.status == 0, "\(run.stderr)")
        let object = try run.jsonObject()
        #expect(number(object["hypervolume"]) == 6)
        #expect(numbers(object["contributions"]) == [1, 1, 1])
    }

    @Test("numbers are printed in their shortest round-trip form, not rounded")
    func roundTrip() async throws {
        let run = try await RwctlRun.run(
            ["hypervolume", "-"], stdin: #"{"reference": [0, 0], "points": [[0.1, 3]]}"#)
        // 0.1·3 is 0.30000000000000004 in binary64; a %g format would print 0.3.
        #expect(run.stdout == "{\"hypervolume\": \(0.1 * 3.0)}\n")
        #expect(run.stdout.contains("0.30000000000000004"))
    }

    @Test("an empty point set has hypervolume 0 and no contributions")
    func emptySet() async throws {
        let json = try await RwctlRun.run(
            ["hypervolume", "-", "--contributions"], stdin: #"{"reference": [0, 0, 0], "points": []}"#)
        #expect(json.status == 0)
        let object = try json.jsonObject()
        #expect(number(object["hypervolume"]) == 0)
        #expect(numbers(object["contributions"]) == [])

        let csv = try await RwctlRun.run(["hypervolume", "-", "--reference", "0,0", "--contributions"], stdin: "a,b\n")
        #expect(csv.status == 0)
        #expect(number(try csv.jsonObject()["hypervolume"]) == 0)
    }

    @Test("an empty JSON point set without a reference point cannot tell K")
    func emptySetWithoutReference() async throws {
        let run = try await RwctlRun.run(["hypervolume", "-"], stdin: #"{"points": []}"#)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("reference"))
    }

    @Test("CSV from a file: the header is skipped, blank lines too")
    func csvFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("accuracy,clarity\n1,3\n\n2,2\n3,1\n", named: "points.csv")
        let run = try await RwctlRun.run(["hypervolume", file.path, "--reference", "0,0", "--contributions"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try run.jsonObject()
        #expect(number(object["hypervolume"]) == 6)
        #expect(numbers(object["contributions"]) == [1, 1, 1])
    }

    @Test(
        "CSV directions: --minimize, --directions, and a negative reference",
        arguments: [
            (["--reference", "4,4", "--minimize"], "3,1\n2,2\n1,3\n"),
            (["--reference", "0,4", "--directions", "max,min"], "1,1\n2,2\n3,3\n"),
            (["--reference=-4,-4", "--maximize"], "-3,-1\n-2,-2\n-1,-3\n"),
            (["--reference", "-4,-4"], "-3,-1\n-2,-2\n-1,-3\n"),
        ])
    func csvDirections(options: [String], csv: String) async throws {
        let run = try await RwctlRun.run(["hypervolume", "-", "--contributions"] + options, stdin: csv)
        #expect(run.status == 0, "\(run.stderr)")
        let object = try run.jsonObject()
        #expect(number(object["hypervolume"]) == 6)
        #expect(numbers(object["contributions"]) == [1, 1, 1])
    }

    @Test(
        "a non-finite CSV value exits with 2 and names its row, column and line",
        arguments: ["nan", "inf", "-inf", "1e999"])
    func csvNonFinite(value: String) async throws {
        let run = try await RwctlRun.run(
            ["hypervolume", "-", "--reference", "0,0"], stdin: "acc,len\n1,3\n\n2,\(value)\n")
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("row 1, column 1"), "\(run.stderr)")
        #expect(run.stderr.contains("finite"))
        #expect(run.stderr.contains("line 4"))
    }

    @Test("a CSV value that is not a number exits with 2 and names it")
    func csvNotANumber() async throws {
        let run = try await RwctlRun.run(["hypervolume", "-", "--reference", "0,0"], stdin: "1,3\n2,abc\n")
        #expect(run.status == 2)
        #expect(run.stderr.contains("row 1, column 1 is 'abc', not a number"), "\(run.stderr)")
    }

    @Test(
        "a JSON number outside a Double's range exits with 2 and names its row and column",
        arguments: ["1e999", "-1e999", "1e-400"])
    func jsonOverflow(value: String) async throws {
        let run = try await RwctlRun.run(
            ["hypervolume", "-"], stdin: #"{"reference": [0, 0], "points": [[1, 3], [2, \#(value)]]}"#)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("points: row 1, column 1"), "\(run.stderr)")
    }

    @Test(
        "bad input exits with 2 and a message naming what is wrong",
        arguments: [
            (#"{"reference": [0, 0], "points": [[1, 3], [2, 2, 2]]}"#, "points: row 1 has 3 values, expected K = 2"),
            (#"{"reference": [0, 0, 0], "points": [[1, 3], [2, 2]]}"#, "reference: has 3 objectives, expected K = 2"),
            (
                #"{"reference": [0, 0], "points": [[1, 3]], "maximize": [true]}"#,
                "maximize: has 1 entry, expected K = 2"
            ),
            (#"{"reference": [0, 0], "points": [[1, 3]], "maximize": "yes"}"#, "maximize"),
            (#"{"reference": [0, 0], "points": [[1, "3"]]}"#, "points: row 0, column 1: expected a number"),
            (#"{"reference": [0, 0], "points": [[1, 3]], "maximize": [true, 1]}"#, "maximize: entry 1"),
            (#"{"reference": [0, "x"], "points": [[1, 3]]}"#, "reference: entry 1: expected a number"),
            (#"{"reference": [0, 0], "points": [[1, 3], 4]}"#, "points: row 1: expected an array"),
            (#"[[1, 3]]"#, "stdin: expected a JSON object"),
            (#"{"reference": [0, 0], "points": [[1, 3]]} x"#, "stdin: malformed JSON"),
            (#"{"reference": [0, 0], "points": [[1, 3]]"#, "stdin: malformed JSON"),
            ("{\n  \"reference\": [0, 0],\n  \"points\": [[1, 3]]\n  \"maximize\": true\n}\n", "stdin: malformed JSON"),
            (#"{"reference": [0, 0], "pionts": [[1, 3]]}"#, "unknown key \"pionts\""),
            (#"{"reference": [0, 0]}"#, "points: missing"),
            (#"{"points": [[1, 3]]}"#, "reference: missing"),
        ])
    func badJSON(input: String, message: String) async throws {
        let run = try await RwctlRun.run(["hypervolume", "-"], stdin: input)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test("a CSV row of the wrong length exits with 2 and names the row and line")
    func csvDimensionMismatch() async throws {
        let run = try await RwctlRun.run(["hypervolume", "-", "--reference", "0,0"], stdin: "1,3\n2,2,2\n")
        #expect(run.status == 2)
        #expect(run.stderr.contains("points: row 1 has 3 values, expected K = 2 (stdin line 2)"), "\(run.stderr)")
    }

    @Test("a missing file exits with 2 and names the file")
    func missingFile() async throws {
        let run = try await RwctlRun.run(["hypervolume", "/nonexistent/points.json"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("/nonexistent/points.json"))
        #expect(run.stderr.contains("no such file"))
    }

    @Test("usage errors exit with 2 too", arguments: [["hypervolume"], ["hypervolume", "-", "--bogus"]])
    func usage(arguments: [String]) async throws {
        let run = try await RwctlRun.run(arguments, stdin: Self.staircase)
        #expect(run.status == 2)
        #expect(run.stderr.contains("Usage"))
    }

    @Test("a hypervolume that overflows a Double is an error, not 'inf' in the JSON")
    func overflow() async throws {
        let run = try await RwctlRun.run(
            ["hypervolume", "-"], stdin: #"{"reference": [-1e200, -1e200], "points": [[1e200, 1e200]]}"#)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("hypervolume"))
    }
}
