import Foundation
import Testing

@Suite("rwctl weights simulate")
struct SimulateCommandTests {
    /// A symmetric matrix whose row sums (the influences) are [0.5, 0.2, −0.1].
    static let gram = "[[0.3, 0.1, 0.1], [0.1, 0.3, -0.2], [0.1, -0.2, 0.0]]"

    static let constantOptions = ["--eta", "1e-6", "--mu", "1e-5", "--schedule", "constant"]

    /// `w_i ∝ w_i·exp(τ·I_i)`, written out independently of the core.
    static func mirrorStep(_ w: [Double], _ influence: [Double], _ tau: Double) -> [Double] {
        let unnormalized = zip(w, influence).map { $0 * exp(tau * $1) }
        let total = unnormalized.reduce(0, +)
        return unnormalized.map { $0 / total }
    }

    static func expectClose(_ actual: [Double]?, _ expected: [Double], tolerance: Double = 1e-12) {
        guard let actual, actual.count == expected.count else {
            Issue.record("expected \(expected), got \(String(describing: actual))")
            return
        }
        for (a, e) in zip(actual, expected) { #expect(abs(a - e) <= tolerance, "\(actual) vs \(expected)") }
    }

    @Test("the first step from the balanced weights matches the hand computation")
    func firstStep() async throws {
        let run = try await RwctlRun.run(
            ["weights", "simulate", "--gram", "-", "--steps", "1", "--initial", "0.334,0.333,0.333"]
                + Self.constantOptions,
            stdin: Self.gram + "\n")
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try run.jsonLines()
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(Set(line.keys) == ["step", "learning_rate", "influence", "weights"])
        #expect(number(line["step"]) == 1)
        #expect(number(line["learning_rate"]) == 1e-6)
        Self.expectClose(numbers(line["influence"]), [0.5, 0.2, -0.1])
        Self.expectClose(numbers(line["weights"]), [0.344058214227303, 0.3328900873455932, 0.32305169842710374])
    }

    @Test("every input form gives the same influences; lr overrides the schedule; uniform start")
    func inputForms() async throws {
        let input = [
            "[[1, 0], [0, 1]]",
            #"{"gram": [[1, 0], [0, 1]]}"#,
            #"{"gradients": [[1, 0, 0], [0, 1, 0]]}"#,
            #"{"influence": [1, 1], "lr": 2e-6}"#,
            "",
        ].joined(separator: "\n")
        let run = try await RwctlRun.run(
            ["weights", "simulate", "--gram", "-", "--steps", "10"] + Self.constantOptions, stdin: input)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try run.jsonLines()
        #expect(lines.map { number($0["step"]) } == [1, 2, 3, 4])
        #expect(lines.map { number($0["learning_rate"]) } == [1e-6, 1e-6, 1e-6, 2e-6])
        for line in lines {
            Self.expectClose(numbers(line["influence"]), [1, 1])
            // Equal influences leave uniform weights unchanged.
            Self.expectClose(numbers(line["weights"]), [0.5, 0.5])
        }
    }

    @Test("the polynomial schedule gives η_t = η·(1 − (t−1)/T)^power and the weights compound")
    func polynomialSchedule() async throws {
        let input = Array(repeating: Self.gram, count: 3).joined(separator: "\n") + "\n"
        let run = try await RwctlRun.run(
            [
                "weights", "simulate", "--gram", "-", "--eta", "1e-6", "--mu", "1e-5", "--schedule", "polynomial",
                "--steps", "4", "--power", "1.03",
            ],
            stdin: input)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try run.jsonLines()
        #expect(lines.count == 3)
        var weights = [1.0 / 3, 1.0 / 3, 1.0 / 3]
        for (index, line) in lines.enumerated() {
            let t = Double(index + 1)
            let rate = 1e-6 * pow(1 - (t - 1) / 4, 1.03)
            #expect(abs((number(line["learning_rate"]) ?? .nan) - rate) <= 1e-18)
            weights = Self.mirrorStep(weights, [0.5, 0.2, -0.1], rate / 1e-5)
            Self.expectClose(numbers(line["weights"]), weights)
        }
    }

    @Test("with accumulation W the weights change only every W steps, by the mean influence")
    func accumulation() async throws {
        let input = "[[2, 0], [0, 0]]\n[[0, 0], [0, 2]]\n[[4, 0], [0, 0]]\n"
        let run = try await RwctlRun.run(
            ["weights", "simulate", "--gram", "-", "--steps", "3", "--accumulation", "2"] + Self.constantOptions,
            stdin: input)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try run.jsonLines()
        #expect(lines.count == 3)
        Self.expectClose(numbers(lines[0]["weights"]), [0.5, 0.5])
        // Mean influence over steps 1 and 2 is [1, 1]: no change.
        Self.expectClose(numbers(lines[1]["weights"]), [0.5, 0.5])
        // Step 3 starts a new window and does not update.
        Self.expectClose(numbers(lines[2]["weights"]), [0.5, 0.5])
        Self.expectClose(numbers(lines[2]["influence"]), [4, 0])

        let uneven = try await RwctlRun.run(
            ["weights", "simulate", "--gram", "-", "--steps", "2", "--accumulation", "2"] + Self.constantOptions,
            stdin: "[[2, 0], [0, 0]]\n[[2, 0], [0, 0]]\n")
        let last = try #require(try uneven.jsonLines().last)
        Self.expectClose(numbers(last["weights"]), Self.mirrorStep([0.5, 0.5], [2, 0], 0.1))
    }

    @Test("CSV output has the header step,learning_rate,w_1,...,w_K and one row per step")
    func csvOutput() async throws {
        let run = try await RwctlRun.run(
            ["weights", "simulate", "--gram", "-", "--steps", "2", "--format", "csv", "--initial", "0.334,0.333,0.333"]
                + Self.constantOptions,
            stdin: Self.gram + "\n" + Self.gram + "\n")
        #expect(run.status == 0, "\(run.stderr)")
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(rows.count == 3)
        #expect(rows.first == ["step", "learning_rate", "w_1", "w_2", "w_3"])
        #expect(rows[1].first == "1")
        #expect(Double(rows[1][1]) == 1e-6)
        Self.expectClose(
            rows[1].dropFirst(2).compactMap { Double($0) },
            [0.344058214227303, 0.3328900873455932, 0.32305169842710374])
    }

    @Test("reads a file, and the shipped example runs")
    func exampleFile() async throws {
        let file = RwctlRun.packageRoot.appendingPathComponent("examples/gram.jsonl").path
        let run = try await RwctlRun.run(
            [
                "weights", "simulate", "--gram", file, "--eta", "1e-6", "--mu", "1e-5", "--schedule", "polynomial",
                "--steps", "10",
            ])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try run.jsonLines()
        #expect(!lines.isEmpty)
        for line in lines {
            let weights = try #require(numbers(line["weights"]))
            #expect(weights.count == 3)
            #expect(abs(weights.reduce(0, +) - 1) <= 1e-12)
        }
    }

    @Test(
        "bad input exits with 2 and names the line",
        arguments: [
            (["--steps", "1"], "[[1, 0], [0, 1]]\n[[1, 0], [0, 1]]\n", "--gram line 2: step 2 is beyond --steps 1"),
            (["--steps", "5"], "[[1, 0], [0, 1]]\n[[1]]\n", "--gram line 2: has K = 1 objectives"),
            (["--steps", "5"], "[[1, 2], [0, 1]]\n", "--gram line 1: gram: entry (0, 1) is 2.0"),
            (["--steps", "5"], "[[1, 0], [0, 1e999]]\n", "--gram line 1: gram: row 1, column 1"),
            (["--steps", "5"], #"{"gram": [[1]], "lr": 1e999}"#, "--gram line 1: lr"),
            (["--steps", "5"], #"{"gram": [[1]], "bogus": 1}"#, "--gram line 1: unknown key \"bogus\""),
            (["--steps", "5"], #"{"gradients": [[1, "a"]]}"#, "--gram line 1: gradients: row 0, column 1"),
            (["--steps", "5"], "[[1, 0], [0, 1]\n", "--gram line 1: malformed JSON"),
            (["--steps", "5"], #"{"gram": [[1]], "lr": -1}"#, "--gram line 1: lr"),
            (["--steps", "5", "--initial", "1,1,1"], "[[1, 0], [0, 1]]\n", "the weights have K = 3"),
            (["--steps", "0"], "", "--steps"),
            (["--steps", "5", "--schedule", "linear"], "", "--schedule"),
        ])
    func badInput(options: [String], input: String, message: String) async throws {
        let run = try await RwctlRun.run(
            ["weights", "simulate", "--gram", "-", "--eta", "1e-6", "--mu", "1e-5"] + options, stdin: input)
        #expect(run.status == 2)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test("a missing --gram file exits with 2")
    func missingFile() async throws {
        let run = try await RwctlRun.run(
            [
                "weights", "simulate", "--gram", "/nonexistent/gram.jsonl", "--eta", "1e-6", "--mu", "1e-5", "--steps",
                "1",
            ])
        #expect(run.status == 2)
        #expect(run.stderr.contains("no such file"))
    }
}
