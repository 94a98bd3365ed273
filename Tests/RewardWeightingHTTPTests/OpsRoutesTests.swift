import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RewardWeightingCore
import RewardWeightingHTTP
import RewardWeightingPolicy
import RewardWeightingService
import RewardWeightingStore
import Synchronization
import Testing

/// Every route of ``OpsRoutes`` through Hummingbird's router, against a coordinator fed real reports; the numbers
/// are compared with what the coordinator's read models answer and, for the front, recomputed here.
@Suite struct OpsRoutesTests {
    @Test func runsArePagedAndFilteredInTheStore() async throws {
        let coordinator = try await Fixture.coordinator()
        for index in 0..<5 {
            let id = "run-\(index)"
            _ = try await coordinator.createRun(index.isMultiple(of: 2) ? gradientConfig(id) : hypervolumeConfig(id))
            if index == 3 { _ = try await coordinator.archive(runID: id) }
        }
        try await Fixture.app(coordinator).test(.router) { client in
            var seen: [String] = []
            var token: String?
            repeat {
                let uri = "/v1/runs?page_size=2" + (token.map { "&page_token=\($0)" } ?? "")
                let page = try await client.json(uri)
                let runs = try #require(page["runs"] as? [[String: Any]])
                #expect(runs.count <= 2)
                seen += runs.compactMap { $0["run_id"] as? String }
                token = page["next_page_token"] as? String
            } while token != nil
            #expect(seen == (0..<5).map { "run-\($0)" })

            let archived = try await client.json("/v1/runs?status=archived")
            #expect((archived["runs"] as? [[String: Any]])?.map { $0["run_id"] as? String } == ["run-3"])
            let gradient = try await client.json("/v1/runs?method=gradient&status=active")
            #expect(
                (gradient["runs"] as? [[String: Any]])?.compactMap { $0["run_id"] as? String }
                    == ["run-0", "run-2", "run-4"])

            try await client.expectProblem("/v1/runs?page_size=-1", status: .badRequest, field: "page_size")
            try await client.expectProblem("/v1/runs?page_size=ten", status: .badRequest, field: "page_size")
            try await client.expectProblem("/v1/runs?status=paused", status: .badRequest, field: "status")
            try await client.expectProblem("/v1/runs?method=magic", status: .badRequest, field: "method")
            try await client.expectProblem("/v1/runs?page_token=garbage", status: .badRequest, field: "page_token")
        }
    }

    @Test func aRunShowsItsConfigAndState() async throws {
        let coordinator = try await Fixture.coordinator()
        _ = try await coordinator.createRun(gradientConfig("shown"))
        for step in 1...4 {
            _ = try await coordinator.reportGradients(
                runID: "shown", report: try GradientReport(step: step, gram: GramMatrix(rows: diagonal([1, 2, 3]))))
        }
        _ = try await coordinator.reportCheckpoint(
            runID: "shown", report: CheckpointReport(step: 4, scores: [0.5, 800, 0.3]))
        let run = try await coordinator.getRun("shown")
        try await Fixture.app(coordinator).test(.router) { client in
            let document = try await client.json("/v1/runs/shown")
            #expect(document["run_id"] as? String == "shown")
            #expect(document["status"] as? String == "active")
            #expect(document["method"] as? String == "gradient")
            #expect(document["objectives"] as? [String] == ["accuracy", "response_length", "clarity"])
            #expect(document["weights"] as? [Double] == run.state.weights)
            #expect(document["r_pareto"] as? Double == 1)
            let lastSteps = try #require(document["last_steps"] as? [String: Any])
            #expect(lastSteps["gradients"] as? Int == 4 && lastSteps["checkpoint"] as? Int == 4)
            #expect(lastSteps["scalarize"] is NSNull)
            // The first checkpoint became the reference point; the buffer is still empty.
            #expect(document["buffer_size"] as? Int == 0)
            #expect(document["last_sequence"] as? Int == run.eventCount)
            let config = try #require(document["config"] as? [String: Any])
            #expect(config["run_id"] as? String == "shown" && config["method"] as? String == "gradient")
            #expect((document["created_at"] as? String)?.hasSuffix("Z") == true)

            try await client.expectProblem("/v1/runs/nobody", status: .notFound, field: "run_id")
            try await client.expectProblem("/v1/runs/bad%20id", status: .badRequest, field: "run_id")
        }
    }

    @Test func historyRowsAreTheStepHistoryAsJSONAndCSV() async throws {
        let coordinator = try await Fixture.coordinator()
        _ = try await coordinator.createRun(gradientConfig("history", accumulationSteps: 1))
        for step in 1...6 {
            let report = try GradientReport(step: step, gram: GramMatrix(rows: diagonal([Double(step), 1, 0.5])))
            _ = try await coordinator.reportGradients(runID: "history", report: report)
        }
        _ = try await coordinator.reportCheckpoint(
            runID: "history", report: CheckpointReport(step: 3, scores: [0.4, 900, 0.2]))
        _ = try await coordinator.scalarize(
            runID: "history", step: 4, rewards: ObjectiveMatrix(rows: [[1, 300, 0.5], [0, 500, 0.25]]),
            groupIDs: nil, validation: false)
        let history = try await coordinator.history(runID: "history", from: 2, to: 5)
        try await Fixture.app(coordinator).test(.router) { client in
            let document = try await client.json("/v1/runs/history/history?from=2&to=5")
            let rows = try #require(document["rows"] as? [[String: Any]])
            #expect(rows.map { $0["step"] as? Int } == history.rows.map(\.step))
            #expect(rows.map { $0["weights"] as? [Double] } == history.rows.map(\.weights))
            #expect(rows.map { $0["learning_rate"] as? Double } == history.rows.map(\.learningRate))
            #expect(rows.map { $0["influence"] as? [Double] } == history.rows.map(\.influence))
            let checkpointRow = try #require(rows.first { $0["step"] as? Int == 3 })
            #expect(checkpointRow["delta_hypervolume"] as? Double == 0)  // the first checkpoint: the reference
            #expect(rows.first { $0["step"] as? Int == 2 }?["r_pareto"] is NSNull)
            let scalarized = try #require(rows.first { $0["step"] as? Int == 4 })
            #expect(scalarized["responses"] as? Int == 2)
            #expect(scalarized["reward_means"] as? [Double] == [0.5, 400, 0.375])
            #expect(scalarized["reward_standard_deviations"] as? [Double] == [0.5, 100, 0.125])
            // A diagonal Gram matrix: orthogonal gradients, cosines 0 off the diagonal.
            let cosines = try #require(scalarized["cosines"] as? [[Double]])
            #expect(cosines == [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
            // G = diag(4, 1, 0.5) at step 4: norms (2, 1, √0.5), over the largest (1, 1/2, √0.5/2).
            #expect(scalarized["gradient_norms"] as? [Double] == [2, 1, 0.5.squareRoot()])
            #expect(scalarized["gradient_norm_ratios"] as? [Double] == [1, 0.5, 0.5.squareRoot() / 2])
            #expect(rows.first { $0["step"] as? Int == 2 }?["reward_means"] is NSNull)

            let csv = try await client.execute(uri: "/v1/runs/history/history?from=2&to=5&format=csv", method: .get) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                return String(buffer: response.body)
            }
            let lines = csv.split(separator: "\r\n").map(String.init)
            let header: [String] = [
                "step", "weight_accuracy", "weight_response_length", "weight_clarity", "learning_rate",
                "influence_accuracy", "influence_response_length", "influence_clarity", "delta_hypervolume",
                "r_pareto", "responses", "reward_mean_accuracy", "reward_mean_response_length",
                "reward_mean_clarity", "reward_std_accuracy", "reward_std_response_length", "reward_std_clarity",
                "cosine_accuracy_response_length", "cosine_accuracy_clarity", "cosine_response_length_clarity",
                "gradient_norm_accuracy", "gradient_norm_response_length", "gradient_norm_clarity",
                "gradient_norm_ratio_accuracy", "gradient_norm_ratio_response_length", "gradient_norm_ratio_clarity",
            ]
            #expect(lines.first == header.joined(separator: ","))
            #expect(lines.count == 1 + history.rows.count)
            for (line, row) in zip(lines.dropFirst(), history.rows) {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                #expect(cells.count == 26)
                #expect(Int(cells[0]) == row.step)
                #expect(cells[1...3].map { Double($0) } == row.weights.map { $0 })
                #expect(Double(cells[4]) == row.learningRate)
                #expect(cells[5...7].map { Double($0) } == (row.influence ?? [0, 0, 0]).map { $0 })
                #expect(Int(cells[10]) == row.scalarizedResponses)
                let means: [Double?] = row.rewardMeans ?? [nil, nil, nil]
                let deviations: [Double?] = row.rewardStandardDeviations ?? [nil, nil, nil]
                let meanCells: [Double?] = cells[11...13].map { Double($0) }
                let deviationCells: [Double?] = cells[14...16].map { Double($0) }
                let cosineCells: [Double?] = cells[17...19].map { Double($0) }
                #expect(meanCells == means)
                #expect(deviationCells == deviations)
                #expect(cosineCells == [0, 0, 0])
                #expect(cells[20...22].map { Double($0) } == row.gradientNorms)
                #expect(cells[23...25].map { Double($0) } == row.gradientNormRatios)
            }
            try await client.expectProblem("/v1/runs/history/history?format=xml", status: .badRequest, field: "format")
            try await client.expectProblem("/v1/runs/history/history?from=x", status: .badRequest, field: "from")
            try await client.expectProblem("/v1/runs/nobody/history", status: .notFound, field: "run_id")
        }
    }

    @Test func theFrontIsInOriginalUnitsWithItsVolumes() async throws {
        let coordinator = try await Fixture.coordinator()
        _ = try await coordinator.createRun(twoObjectiveHypervolumeConfig("front"))
        // accuracy (max) and length (min): the first checkpoint is the reference point.
        let reports: [[Double]] = [[0.2, 1000], [0.5, 800], [0.7, 900], [0.4, 600]]
        for (step, scores) in reports.enumerated() {
            _ = try await coordinator.reportCheckpoint(
                runID: "front", report: CheckpointReport(step: step, scores: scores))
        }
        try await Fixture.app(coordinator).test(.router) { client in
            let document = try await client.json("/v1/runs/front/front")
            #expect(document["reference_point"] as? [Double] == [0.2, 1000])
            #expect(document["reference_step"] as? Int == 0)
            let points = try #require(document["points"] as? [[String: Any]])
            let scores = points.compactMap { $0["scores"] as? [Double] }
            #expect(Set(scores) == [[0.5, 800], [0.7, 900], [0.4, 600]])
            // Recomputed here: the union of the boxes between each point and the reference, by a sweep over
            // accuracy (the maximised objective) and the improvement in length (1000 − length).
            let boxes = scores.map { (width: $0[0] - 0.2, height: 1000 - $0[1]) }
            #expect(abs((document["hypervolume"] as? Double ?? -1) - unionArea(boxes)) < 1e-9)
            for (point, box) in zip(points, boxes) {
                let others = boxes.filter { $0 != box }
                let exclusive = unionArea(boxes) - unionArea(others)
                #expect(abs((point["contribution"] as? Double ?? -1) - exclusive) < 1e-9)
            }
            // Sparsity recomputed here: accuracy sorted 0.4, 0.5, 0.7 and length 600, 800, 900; the squared gaps
            // over n − 1 = 2.
            #expect(document["cardinality"] as? Int == 3)
            let sparsity = (0.01 + 0.04 + 200.0 * 200 + 100.0 * 100) / 2
            #expect(abs((document["sparsity"] as? Double ?? -1) - sparsity) < 1e-9)
            try await client.expectProblem("/v1/runs/nobody/front", status: .notFound, field: "run_id")
        }
    }

    @Test func eventsArePagedBySequenceWithSupersededOnesFlagged() async throws {
        let coordinator = try await Fixture.coordinator()
        _ = try await coordinator.createRun(gradientConfig("log", accumulationSteps: 1))
        for step in 1...5 {
            let report = try GradientReport(step: step, gram: GramMatrix(rows: diagonal([1, 2, 3])))
            _ = try await coordinator.reportGradients(runID: "log", report: report)
        }
        _ = try await coordinator.resume(runID: "log", fromStep: 3)
        try await Fixture.app(coordinator).test(.router) { client in
            var events: [[String: Any]] = []
            var from = 1
            var pages = 0
            while true {
                let page = try await client.json("/v1/runs/log/events?from_sequence=\(from)&limit=3")
                events += try #require(page["events"] as? [[String: Any]])
                pages += 1
                guard let next = page["next_from_sequence"] as? Int else { break }
                from = next
            }
            // created, 5 reports, resumed: 7 events, pages of 3, 3 and 1.
            #expect(pages == 3)
            #expect(events.map { $0["sequence"] as? Int } == Array(1...7))
            #expect(
                events.map { $0["kind"] as? String }
                    == ["created", "gradients", "gradients", "gradients", "gradients", "gradients", "resumed"])
            #expect(events.map { $0["superseded"] as? Bool } == [false, false, false, false, true, true, false])
            let resumed = try #require(events.last?["decision"] as? [String: Any])
            #expect(resumed["from_step"] as? Int == 3 && resumed["superseded_events"] as? Int == 2)
            let gradients = try #require(events[1]["decision"] as? [String: Any])
            #expect(gradients["influence"] as? [Double] == [1, 2, 3])

            try await client.expectProblem("/v1/runs/log/events?limit=0", status: .badRequest, field: "limit")
            try await client.expectProblem(
                "/v1/runs/log/events?from_sequence=-1", status: .badRequest, field: "from_sequence")
            try await client.expectProblem("/v1/runs/nobody/events", status: .notFound, field: "run_id")
        }
    }

    @Test func watchStreamsTheLogAsServerSentEventsAndResumesAfterLastEventID() async throws {
        let coordinator = try await Fixture.coordinator()
        _ = try await coordinator.createRun(gradientConfig("watched", accumulationSteps: 1))
        for step in 1...2 {
            let report = try GradientReport(step: step, gram: GramMatrix(rows: diagonal([1, 2, 3])))
            _ = try await coordinator.reportGradients(runID: "watched", report: report)
        }
        _ = try await coordinator.archive(runID: "watched", reason: "done")
        try await Fixture.app(coordinator).test(.router) { client in
            // The whole log, then the stream ends after the archived event.
            let all = try await client.execute(uri: "/v1/runs/watched/watch?from_sequence=1", method: .get) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                return serverSentEvents(String(buffer: response.body))
            }
            #expect(all.first?.fields["retry"] == "1000")
            let messages = all.filter { $0.fields["data"] != nil }
            #expect(messages.map { $0.fields["id"] } == ["1", "2", "3", "4"])
            let kinds = try messages.map { message in
                try #require(
                    exactNumbers(try JSONSerialization.jsonObject(with: Data(message.fields["data"]!.utf8)))
                        as? [String: Any])["kind"] as? String
            }
            #expect(kinds == ["created", "gradients", "gradients", "archived"])
            #expect(messages.allSatisfy { $0.fields["event"] == nil })
            // A reconnecting EventSource sends the last id it saw: the stream resumes after it.
            let resumed = try await client.execute(
                uri: "/v1/runs/watched/watch", method: .get, headers: [OpsRoutes.lastEventID: "2"]
            ) { response in serverSentEvents(String(buffer: response.body)).compactMap { $0.fields["id"] } }
            #expect(resumed == ["3", "4"])

            try await client.execute(
                uri: "/v1/runs/watched/watch", method: .get, headers: [OpsRoutes.lastEventID: "x"]
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("\"field\":\"Last-Event-ID\""))
            }
            try await client.expectProblem(
                "/v1/runs/watched/watch?from_sequence=-2", status: .badRequest, field: "from_sequence")
            try await client.expectProblem("/v1/runs/nobody/watch", status: .notFound, field: "run_id")
        }
    }

    @Test func aLiveWatchGetsTheEventsRecordedAfterIt() async throws {
        let coordinator = try await Fixture.coordinator()
        _ = try await coordinator.createRun(gradientConfig("live", accumulationSteps: 1))
        try await Fixture.app(coordinator).test(.router) { client in
            async let received = client.execute(uri: "/v1/runs/live/watch", method: .get) { response in
                serverSentEvents(String(buffer: response.body)).compactMap { $0.fields["id"] }
            }
            // Wait until the request has subscribed: anything recorded before it is not sent (live only).
            while await coordinator.watcherCount(runID: "live") == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let report = try GradientReport(step: 1, gram: GramMatrix(rows: diagonal([1, 2, 3])))
            _ = try await coordinator.reportGradients(runID: "live", report: report)
            _ = try await coordinator.resume(runID: "live", fromStep: 0)
            _ = try await coordinator.archive(runID: "live")
            // Not the creation (sequence 1): the report, the resume and the archive.
            #expect(try await received == ["2", "3", "4"])
        }
    }

    @Test func metricsAreServedOnlyWhenTheServerExposesThem() async throws {
        let coordinator = try await Fixture.coordinator()
        try await Fixture.app(coordinator).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .notFound) }
        }
        let exposing = Application(
            router: OpsRoutes(coordinator: coordinator, metricsExposition: { "rw_active_runs 0\n" }).router())
        try await exposing.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(String(buffer: response.body) == "rw_active_runs 0\n")
            }
        }
    }

    @Test func healthAndReadiness() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rw-http-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteRunStore(path: directory.appendingPathComponent("runs.sqlite").path)
        let coordinator = RunCoordinator(store: store, logger: Logger(label: "test"))
        try await Fixture.app(coordinator).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            // The store stops answering: not ready, a problem naming the database; still alive.
            try store.close()
            try await client.expectProblem("/readyz", status: .serviceUnavailable, field: "database")
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func aKernelWorkerThatIsNotReadyMakesTheServerNotReady() async throws {
        let coordinator = try await Fixture.coordinator()
        let ready = Mutex(false)
        let routes = OpsRoutes(
            coordinator: coordinator,
            workerNotReady: { ready.withLock { $0 } ? nil : "the kernel worker is (re)starting" })
        try await Application(router: routes.router()).test(.router) { client in
            try await client.expectProblem("/readyz", status: .serviceUnavailable, field: "kernels")
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            ready.withLock { $0 = true }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
    }
}

// MARK: - Support

@Suite("the dashboard's routes")
struct DashboardRoutesTests {
    @Test func thePageItsFilesAndChartJSAreServed() async throws {
        let chartJS = FileManager.default.temporaryDirectory.appendingPathComponent("chart-\(UUID().uuidString).js")
        try Data("window.Chart = function () {};".utf8).write(to: chartJS)
        defer { try? FileManager.default.removeItem(at: chartJS) }
        let coordinator = try await Fixture.coordinator()
        let dashboard = DashboardAssets(chartJSPath: chartJS.path)
        #expect(dashboard.hasPage && dashboard.hasChartJS)
        let app = Application(router: OpsRoutes(coordinator: coordinator, dashboard: dashboard).router())
        try await app.test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                return String(buffer: response.body)
            }
            // The page loads Chart.js and its script from these routes, and has every figure the script draws in.
            for reference in ["/dashboard/chart.js", "/dashboard/dashboard.js", "/dashboard/dashboard.css"] {
                #expect(page.contains("\"\(reference)\""), "the page does not load \(reference)")
            }
            for figure in ["weights", "rewards", "meta", "front"] {
                #expect(page.contains("data-chart=\"\(figure)\""))
            }
            try await client.execute(uri: "/dashboard/dashboard.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(String(buffer: response.body).contains("/v1/runs"))
            }
            try await client.execute(uri: "/dashboard/chart.js", method: .get) { response in
                #expect(String(buffer: response.body) == "window.Chart = function () {};")
            }
            try await client.expectProblem("/dashboard/secrets.txt", status: .notFound, field: "path")
            try await client.expectProblem("/dashboard/..%2Fopenapi.json", status: .notFound, field: "path")
        }
    }

    @Test func withoutChartJSTheLibraryRouteSaysWhatToInstall() async throws {
        let coordinator = try await Fixture.coordinator()
        let dashboard = DashboardAssets(chartJSPath: "/nonexistent/chart.min.js")
        #expect(dashboard.hasPage && !dashboard.hasChartJS)
        let app = Application(router: OpsRoutes(coordinator: coordinator, dashboard: dashboard).router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/dashboard/chart.js", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("libjs-chart.js"))
            }
            try await client.execute(uri: "/", method: .get) { response in #expect(response.status == .ok) }
        }
        // Without dashboard files, there is no page at all.
        try await Fixture.app(coordinator).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in #expect(response.status == .notFound) }
        }
    }
}

enum Fixture {
    static func coordinator() async throws -> RunCoordinator {
        RunCoordinator(store: InMemoryRunStore(), logger: Logger(label: "test"))
    }

    static func app(_ coordinator: RunCoordinator) -> some ApplicationProtocol {
        Application(router: OpsRoutes(coordinator: coordinator).router())
    }
}

extension TestClientProtocol {
    /// The JSON object a GET of `uri` answers with 200.
    func json(_ uri: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        try await self.execute(uri: uri, method: .get) { response in
            #expect(
                response.status == .ok, "GET \(uri): \(String(buffer: response.body))", sourceLocation: sourceLocation)
            #expect(response.headers[.contentType] == "application/json", sourceLocation: sourceLocation)
            return try #require(
                exactNumbers(try JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any],
                sourceLocation: sourceLocation)
        }
    }

    /// Expects a GET of `uri` to answer an RFC 9457 problem of `status` naming `field`.
    func expectProblem(
        _ uri: String, status: HTTPResponse.Status, field: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await self.execute(uri: uri, method: .get) { response in
            #expect(response.status == status, "GET \(uri)", sourceLocation: sourceLocation)
            #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
            let problem = try #require(
                try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any],
                sourceLocation: sourceLocation)
            #expect(problem["status"] as? Int == status.code, sourceLocation: sourceLocation)
            #expect(problem["title"] as? String == status.reasonPhrase, sourceLocation: sourceLocation)
            #expect(problem["field"] as? String == field, "GET \(uri): \(problem)", sourceLocation: sourceLocation)
            #expect((problem["detail"] as? String)?.hasPrefix("\(field): ") == true, sourceLocation: sourceLocation)
            #expect((problem["detail"] as? String).map { $0.utf8.count < 1024 } == true, sourceLocation: sourceLocation)
        }
    }
}

let mathObjectives = [
    try! Objective(name: "accuracy", direction: .maximize),
    try! Objective(name: "response_length", direction: .minimize),
    try! Objective(name: "clarity", direction: .maximize),
]

func gradientConfig(_ runID: String, accumulationSteps: Int = 2) -> RunConfig {
    let schedule = try! LearningRateSchedule(kind: .polynomial, totalSteps: 40, power: 1.03)
    return try! RunConfig(
        runID: runID, objectives: mathObjectives,
        method: .gradient(
            try! GradientSettings(
                learningRate: 1e-6, mu: 1e-5, schedule: schedule, accumulationSteps: accumulationSteps)),
        initialWeights: [0.5, 0.25, 0.25])
}

func hypervolumeConfig(_ runID: String) -> RunConfig {
    try! RunConfig(runID: runID, objectives: mathObjectives, method: .hypervolume(try! HypervolumeSettings()))
}

func twoObjectiveHypervolumeConfig(_ runID: String) -> RunConfig {
    try! RunConfig(
        runID: runID,
        objectives: [
            try! Objective(name: "accuracy", direction: .maximize),
            try! Objective(name: "length", direction: .minimize),
        ],
        method: .hypervolume(try! HypervolumeSettings()))
}

func diagonal(_ values: [Double]) -> [[Double]] {
    values.indices.map { i in values.indices.map { j in i == j ? values[i] : 0 } }
}

/// `JSONSerialization`'s tree with every non-integral number as the `Double` its text denotes: Foundation reads
/// them as `NSDecimalNumber`, whose `Double` conversion is off by a few units in the last place.
func exactNumbers(_ value: Any) -> Any {
    switch value {
    case let decimal as NSDecimalNumber: Double("\(decimal)") ?? decimal.doubleValue
    case let array as [Any]: array.map(exactNumbers)
    case let object as [String: Any]: object.mapValues(exactNumbers)
    default: value
    }
}

/// The area of a union of boxes anchored at the origin, by sweeping the widths from the largest down.
func unionArea(_ boxes: [(width: Double, height: Double)]) -> Double {
    var area = 0.0
    var covered = 0.0
    for box in boxes.sorted(by: { $0.width > $1.width }) where box.height > covered {
        area += box.width * (box.height - covered)
        covered = box.height
    }
    return area
}

/// One server-sent event: its fields (`id`, `event`, `data`, `retry`), the last value of each.
struct ServerSentEvent {
    var fields: [String: String] = [:]
}

/// The events of a `text/event-stream` body (blank-line separated blocks of `field: value` lines).
func serverSentEvents(_ body: String) -> [ServerSentEvent] {
    body.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { block in
        var event = ServerSentEvent()
        for line in block.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            event.fields[String(line[..<colon])] = String(value)
        }
        return event
    }
}
