import Foundation
import RewardWeightingAPI
import RewardWeightingFuzzing
import RewardWeightingTestSupport
import SwiftProtobuf
import Testing

@Suite("The fuzz harness: seeds, wire form, invariants, regressions")
struct FuzzHarnessTests {
    let harness = FuzzHarness()

    @Test("every seed keeps every invariant, and together they reach every method's success")
    func everySeedKeepsEveryInvariant() async throws {
        var total = FuzzOutcome()
        for (name, script) in SeedScripts.all {
            let outcome = try await self.harness.run(script)
            #expect(outcome.transcript.count == script.calls.count, "\(name)")
            total.add(outcome)
        }
        for method in FuzzScript.Method.allCases {
            #expect(total.count(of: method, "OK") > 0, "no seed reaches a successful \(method)")
        }
        #expect(total.retries > 20)
    }

    @Test("the wire form gives back the script it encodes, and any bytes are a script")
    func theWireFormRoundTrips() {
        for (name, script) in SeedScripts.all {
            #expect(FuzzScript(bytes: script.encoded) == script, "\(name)")
        }
        var random = SplitMix64(seed: 16)
        for _ in 0..<500 {
            let bytes = (0..<Int(random.next() % 600)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let script = FuzzScript(bytes: bytes)
            #expect(script.calls.count <= FuzzScript.maximumCalls)
            #expect(script.calls.allSatisfy { $0.messages.count <= FuzzScript.maximumStreamMessages })
        }
    }

    @Test("NonFiniteNumbers finds NaN and ±∞ in nested and repeated fields, and nothing in finite messages")
    func nonFiniteNumbersAreFound() {
        var scalarized = Rewardweighting_V1_ScalarizeResponse()
        scalarized.scalarizedRewards = [1, .nan, 2]
        scalarized.rPareto = 1
        #expect(NonFiniteNumbers.paths(in: scalarized) == ["1[1]"])
        var state = Rewardweighting_V1_RunState()
        state.weights = [0.5, 0.5]
        var run = Rewardweighting_V1_Run()
        run.state = state
        var response = Rewardweighting_V1_GetRunResponse()
        response.run = run
        #expect(NonFiniteNumbers.paths(in: response).isEmpty)
        response.run.state.weights = [-.infinity, 0.5]
        #expect(NonFiniteNumbers.paths(in: response).count == 1)
        scalarized.scalarizedRewards = [1, 2]
        #expect(NonFiniteNumbers.paths(in: scalarized).isEmpty)
    }

    @Test("finite scores whose hypervolume gain overflows are INVALID_ARGUMENT on scores, not INTERNAL")
    func aHypervolumeGainThatOverflowsIsInvalidArgument() async throws {
        var config = Rewardweighting_V1_RunConfig()
        config.objectives = ["a", "b", "c"].map { name in Rewardweighting_V1_Objective.with { $0.name = name } }
        config.method = .hypervolume
        config.hypervolume.referencePoint = [0, 0, 0]
        let create = Rewardweighting_V1_CreateRunRequest.with {
            $0.runID = "overflow"
            $0.config = config
        }
        let huge = Rewardweighting_V1_ReportCheckpointRequest.with {
            $0.runID = "overflow"
            $0.step = 1
            $0.scores = [1e200, 1e200, 1e200]
        }
        let fine = Rewardweighting_V1_ReportCheckpointRequest.with {
            $0.runID = "overflow"
            $0.step = 2
            $0.scores = [1, 2, 3]
        }
        let outcome = try await self.harness.run(
            FuzzScript(calls: [
                FuzzScript.Call(.createRun, create), FuzzScript.Call(.reportCheckpoint, huge),
                FuzzScript.Call(.reportCheckpoint, fine),
            ]))
        #expect(outcome.transcript[1].hasPrefix("reportCheckpoint invalidArgument: scores: the hypervolume gain"))
        #expect(outcome.transcript[1].contains("overflows a Double"))
        // The refused report left the run as it was: the next step is taken.
        #expect(outcome.transcript[2] == "reportCheckpoint OK")
    }

    @Test("a stream message after the header that does not decode is INVALID_ARGUMENT on slice, not UNAVAILABLE")
    func aStreamMessageThatDoesNotDecodeIsInvalidArgument() async throws {
        let outcome = try await self.harness.run(SeedScripts.adversarialStreams)
        let line = try #require(outcome.transcript.first { $0.contains("does not decode") })
        #expect(
            line.hasPrefix("reportProjectedGradients invalidArgument: slice: a message of the stream does not decode"))
    }

    @Test("seeds mutated at random (bit flips, byte changes, cuts, splices) keep every invariant")
    func mutatedSeedsKeepEveryInvariant() async throws {
        let seeds = SeedScripts.all.map(\.script.encoded)
        var random = SplitMix64(seed: 2026)
        for round in 0..<400 {
            var bytes = seeds[Int(random.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + Int(random.next() % 4)) {
                guard !bytes.isEmpty else { break }
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 4 {
                case 0: bytes[at] ^= UInt8(1 << (random.next() % 8))
                case 1: bytes[at] = UInt8(truncatingIfNeeded: random.next())
                case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int(random.next() % 16) + 1))
                default:
                    let other = seeds[Int(random.next() % UInt64(seeds.count))]
                    bytes = Array(bytes[..<at]) + Array(other[Int(random.next() % UInt64(other.count))...])
                }
            }
            do {
                _ = try await self.harness.run(FuzzScript(bytes: bytes))
            } catch {
                Issue.record("mutation \(round) (\(Data(bytes).base64EncodedString())): \(error)")
            }
        }
    }

    @Test("every input the fuzzer once broke an invariant with keeps them all now")
    func theRegressionCorpusKeepsEveryInvariant() async throws {
        let directory = try #require(Bundle.module.url(forResource: "Corpus", withExtension: nil))
            .appendingPathComponent("regressions")
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        #expect(!files.isEmpty)
        for file in files {
            let bytes = try Data(contentsOf: file)
            do {
                _ = try await self.harness.run(FuzzScript(bytes: bytes))
            } catch {
                Issue.record("\(file.lastPathComponent): \(error)")
            }
        }
    }
}
