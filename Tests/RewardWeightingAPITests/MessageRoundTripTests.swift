import RewardWeightingAPI
import SwiftProtobuf
import Testing

/// The wire contract of the generated API types: a full-size Scalarize request fits gRPC's default message
/// limit and keeps every bit of its values, and a run config survives the JSON mapping.
@Suite("API messages")
struct MessageRoundTripTests {
    /// grpc-swift's default maximum message size (4 MiB), for requests and responses alike.
    static let defaultMaximumMessageBytes = 4 * 1024 * 1024

    /// `count` finite doubles from arbitrary bit patterns (SplitMix64), so every exponent and mantissa
    /// pattern occurs, plus the awkward values a float formatter or a lossy encoding would break.
    static func arbitraryFiniteDoubles(count: Int, seed: UInt64) -> [Double] {
        var values: [Double] = [
            0, -0.0, 1, -1, .pi, 0.1, 1e-300, -1e300, .leastNonzeroMagnitude, -.leastNormalMagnitude,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .ulpOfOne, 1 + .ulpOfOne,
        ]
        var state = seed
        while values.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let value = Double(bitPattern: z)
            if value.isFinite { values.append(value) }
        }
        return Array(values.prefix(count))
    }

    @Test("Scalarize with N = 4096, K = 8 fits 4 MiB and round-trips bit for bit")
    func scalarizeRequestRoundTrip() throws {
        let n = 4096
        let k = 8
        let values = Self.arbitraryFiniteDoubles(count: n * k, seed: 20_250_601)
        // 256 prompts × 16 responses, with the prompt's index in the batch as its group id.
        let groupIDs = (0..<n).map { Int64($0 / 16) }
        let request = Rewardweighting_V1_ScalarizeRequest.with {
            $0.runID = "qwen3-8b.math500_gradient-01"
            $0.step = 1_234_567
            $0.rewards = .with {
                $0.numObjectives = Int32(k)
                $0.values = values
            }
            $0.groupIds = groupIDs
            $0.validation = true
        }

        let bytes: [UInt8] = try request.serializedBytes()
        // Packed doubles: 8 bytes a value; packed varint group ids below 2¹⁴: at most 2 bytes each; plus a few
        // bytes of tags, lengths and the other fields.
        #expect(bytes.count >= 8 * n * k)
        #expect(bytes.count < 8 * n * k + 2 * n + 100)
        #expect(bytes.count < Self.defaultMaximumMessageBytes)

        let decoded = try Rewardweighting_V1_ScalarizeRequest(serializedBytes: bytes)
        #expect(decoded == request)
        #expect(decoded.rewards.numObjectives == Int32(k))
        #expect(decoded.rewards.values.count == n * k)
        #expect(decoded.rewards.values.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(decoded.groupIds == groupIDs)
        #expect(decoded.step == 1_234_567)
        #expect(decoded.validation)
    }

    @Test("A Scalarize reply for N = 4096 fits 4 MiB")
    func scalarizeResponseSize() throws {
        let response = Rewardweighting_V1_ScalarizeResponse.with {
            $0.scalarizedRewards = Self.arbitraryFiniteDoubles(count: 4096, seed: 7)
            $0.weights = Array(repeating: 0.125, count: 8)
            $0.rPareto = 1.5
            $0.rParetoStep = 100
            $0.sequence = 42
        }
        let bytes: [UInt8] = try response.serializedBytes()
        #expect(bytes.count < Self.defaultMaximumMessageBytes)
        #expect(try Rewardweighting_V1_ScalarizeResponse(serializedBytes: bytes) == response)
    }

    /// A CreateRunRequest with every field set (both method settings, although a valid config has at most one:
    /// this is a test of the wire format, not of validation).
    static let everyFieldCreateRun = Rewardweighting_V1_CreateRunRequest.with {
        $0.runID = "run-01"
        $0.config = .with {
            $0.objectives = [
                .with {
                    $0.name = "accuracy"
                    $0.direction = .maximize
                },
                .with {
                    $0.name = "response_length"
                    $0.direction = .minimize
                },
                .with {
                    $0.name = "clarity"
                    $0.direction = .maximize
                },
            ]
            $0.method = .gradient
            $0.initialWeights = [0.5, 0.25, 0.25]
            $0.hypervolume = .with {
                $0.metaReward = .sigmoidPlusOne
                $0.referencePoint = [0.55, 700, 0.25]
            }
            $0.gradient = .with {
                $0.learningRate = 1e-6
                $0.mu = 1e-5
                $0.schedule = .with {
                    $0.kind = .cosine
                    $0.totalSteps = 360
                    $0.warmupSteps = 10
                    $0.power = 1.03
                    $0.gamma = 0.96
                    $0.minLrRatio = 0
                    $0.numCycles = 0.5
                }
                $0.accumulationSteps = 2
                $0.minWeight = 0
                $0.maxWeight = 0.9
            }
            $0.normalization = .group
            $0.normalizationEpsilon = 1e-4
        }
    }

    @Test("A CreateRunRequest with every field set round-trips through JSON")
    func createRunRequestJSONRoundTrip() throws {
        let request = Self.everyFieldCreateRun
        let json = try request.jsonString()
        let decoded = try Rewardweighting_V1_CreateRunRequest(jsonString: json)
        #expect(decoded == request)

        // proto3 `optional` keeps presence: an explicit 0 is sent and read back as set.
        #expect(json.contains("\"minLrRatio\":0"))
        #expect(json.contains("\"minWeight\":0"))
        #expect(decoded.config.gradient.schedule.hasMinLrRatio)
        #expect(decoded.config.gradient.hasMinWeight)
        #expect(!Rewardweighting_V1_GradientSettings().hasMinWeight)
        // Enums travel by name.
        #expect(json.contains("\"OBJECTIVE_DIRECTION_MINIMIZE\""))
        #expect(json.contains("\"WEIGHTING_METHOD_GRADIENT\""))
        #expect(json.contains("\"SCHEDULE_KIND_COSINE\""))

        // The proto field names (what Python's json_format and grpcurl accept) are read as well.
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        let snakeCase = try request.jsonString(options: options)
        #expect(snakeCase.contains("\"normalization_epsilon\""))
        #expect(try Rewardweighting_V1_CreateRunRequest(jsonString: snakeCase) == request)

        // And the binary form agrees.
        let bytes: [UInt8] = try request.serializedBytes()
        #expect(try Rewardweighting_V1_CreateRunRequest(serializedBytes: bytes) == request)
    }

    @Test("Decision events keep their oneof case through binary and JSON")
    func decisionEventRoundTrip() throws {
        let event = Rewardweighting_V1_DecisionEvent.with {
            $0.runID = "run-01"
            $0.sequence = 7
            $0.step = 40
            $0.kind = .checkpoint
            $0.recordedAt = Google_Protobuf_Timestamp(seconds: 1_750_000_000, nanos: 5)
            $0.checkpoint = .with {
                $0.scores = [0.61, 540, 0.3]
                $0.hypervolumeContribution = 0.012
                $0.rPareto = 0.5 + 1.5 * 0.011_999_424_011_058_97
                $0.enteredBuffer = true
                $0.hypervolume = 0.5
            }
        }
        let bytes: [UInt8] = try event.serializedBytes()
        let fromBinary = try Rewardweighting_V1_DecisionEvent(serializedBytes: bytes)
        #expect(fromBinary == event)
        guard case .checkpoint(let decision) = fromBinary.decision else {
            Issue.record("decision is \(String(describing: fromBinary.decision)), expected .checkpoint")
            return
        }
        #expect(decision.enteredBuffer)
        #expect(try Rewardweighting_V1_DecisionEvent(jsonString: try event.jsonString()) == event)
    }

    @Test("The trainer service has the ten RPCs of the contract")
    func serviceMethods() {
        let names = Rewardweighting_V1_TrainerService.Method.descriptors.map(\.method)
        #expect(
            names == [
                "CreateRun", "GetRun", "ListRuns", "Scalarize", "ReportGradients", "ReportProjectedGradients",
                "ReportCheckpoint", "WatchRun", "ResumeRun", "ArchiveRun",
            ])
        #expect(
            Rewardweighting_V1_TrainerService.descriptor.fullyQualifiedService == "rewardweighting.v1.TrainerService"
        )
    }
}
