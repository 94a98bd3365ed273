import GRPCCore
import GRPCProtobuf
import RewardWeightingAPI

extension TrainerServiceImplementation {
    /// Registers the service's methods as the generated code does, but with ``SizeLimitedDeserializer``s, so a
    /// request over ``maxRequestMessageBytes`` is answered `RESOURCE_EXHAUSTED`, and with each call
    /// authenticated first (``CallPrincipal``): a call whose credentials do not authenticate never reaches its
    /// handler.
    public func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        typealias Method = Rewardweighting_V1_TrainerService.Method
        let limit = self.maxRequestMessageBytes
        let authenticator = self.authenticator
        let limiter = self.rateLimiter
        router.registerHandler(
            forMethod: Method.CreateRun.descriptor,
            deserializer: SizeLimitedDeserializer<Rewardweighting_V1_CreateRunRequest>(limit: limit),
            serializer: ProtobufSerializer<Rewardweighting_V1_CreateRunResponse>(),
            handler: { request, context in
                try await CallPrincipal.authenticating(request, with: authenticator, limiter: limiter) {
                    try await self.createRun(request: request, context: context)
                }
            })
        router.registerHandler(
            forMethod: Method.GetRun.descriptor,
            deserializer: SizeLimitedDeserializer<Rewardweighting_V1_GetRunRequest>(limit: limit),
            serializer: ProtobufSerializer<Rewardweighting_V1_GetRunResponse>(),
            handler: { request, context in
                try await CallPrincipal.authenticating(request, with: authenticator, limiter: limiter) {
                    try await self.getRun(request: request, context: context)
                }
            })
        router.registerHandler(
            forMethod: Method.ListRuns.descriptor,
            deserializer: SizeLimitedDeserializer<Rewardweighting_V1_ListRunsRequest>(limit: limit),
            serializer: ProtobufSerializer<Rewardweighting_V1_ListRunsResponse>(),
            handler: { request, context in
                try await CallPrincipal.authenticating(request, with: authenticator, limiter: limiter) {
                    try await self.listRuns(request: request, context: context)
                }
            })
        router.registerHandler(
            forMethod: Method.Scalarize.descriptor,
            deserializer: SizeLimitedDeserializer<Rewardweighting_V1_ScalarizeRequest>(limit: limit),
            serializer: ProtobufSerializer<Rewardweighting_V1_ScalarizeResponse>(),
            handler: { request, context in
                try await CallPrincipal.authenticating(request, with: authenticator, limiter: limiter) {
                    try await self.scalarize(request: request, context: context)
                }
            })
        router.registerHandler(
            forMethod: Method.ReportGradients.descriptor,
            deserializer: SizeLimitedDeserializer<Rewardweighting_V1_ReportGradientsRequest>(limit: limit),
            serializer: ProtobufSerializer<Rewardweighting_V1_ReportGradientsResponse>(),
            handler: { request, context in
                try await CallPrincipal.authenticating(request, with: authenticator, limiter: limiter) {
                    try await self.reportGradients(request: request, context: context)
                }
            })
        router.registerHandler(
            forMethod: Method.ReportProjectedGradients.descriptor,
            deserializer: SizeLimitedDeserializer<Rewardweighting_V1_ReportProjectedGradientsRequest>(limit: limit),
            serializer: ProtobufSerializer<Rewardweighting_V1_ReportGradientsResponse>(),
            handler: { request, context in
                try await CallPrincipal.authenticating(request, with: authenticator, limiter: limiter) {
                    try await self.reportProjectedGradients(request: request, context: context)
                }
            })
        router.registerHandler(
            forMethod: Method.ReportCheckpoint.descriptor,
            deserializer: SizeLimitedDeserializer<Rewardweighting_V1_ReportCheckpointRequest>(limit: limit),
            serializer: ProtobufSerializer<Rewardweighting_V1_ReportCheckpointResponse>(),
            handler: { request, context in
                try await CallPrincipal.authenticating(request, with: authenticator, limiter: limiter) {
                    try await self.reportCheckpoint(request: request, context: context)
                }
            })
        router.registerHandler(
            forMethod: Method.WatchRun.descriptor,
            deserializer: SizeLimitedDeserializer<Rewardweighting_V1_WatchRunRequest>(limit: limit),
            serializer: ProtobufSerializer<Rewardweighting_V1_DecisionEvent>(),
            handler: { request, context in
                try await CallPrincipal.authenticating(request, with: authenticator, limiter: limiter) {
                    try await self.watchRun(request: request, context: context)
                }
            })
        router.registerHandler(
            forMethod: Method.ResumeRun.descriptor,
            deserializer: SizeLimitedDeserializer<Rewardweighting_V1_ResumeRunRequest>(limit: limit),
            serializer: ProtobufSerializer<Rewardweighting_V1_ResumeRunResponse>(),
            handler: { request, context in
                try await CallPrincipal.authenticating(request, with: authenticator, limiter: limiter) {
                    try await self.resumeRun(request: request, context: context)
                }
            })
        router.registerHandler(
            forMethod: Method.ArchiveRun.descriptor,
            deserializer: SizeLimitedDeserializer<Rewardweighting_V1_ArchiveRunRequest>(limit: limit),
            serializer: ProtobufSerializer<Rewardweighting_V1_ArchiveRunResponse>(),
            handler: { request, context in
                try await CallPrincipal.authenticating(request, with: authenticator, limiter: limiter) {
                    try await self.archiveRun(request: request, context: context)
                }
            })
    }
}
