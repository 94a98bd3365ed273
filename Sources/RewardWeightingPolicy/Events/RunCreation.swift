/// The first entry of a run's log (`CreateRun`, sequence 1, step 0): the configuration the run was created
/// with. Folding it changes nothing: the state before any event is ``WeightingPolicy/initialState``.
///
/// JSON: `{"config": {…RunConfig…}}`.
public struct RunCreation: Codable, Hashable, Sendable {
    /// The configuration the run was created with (its effective configuration, see ``RunConfig``).
    public let config: RunConfig

    /// The record of a run created with `config`.
    public init(config: RunConfig) {
        self.config = config
    }

    /// Always 0: a run is created before any training step.
    public var step: Int { 0 }

    /// The normalised initial weights (K values summing to 1).
    public var weights: [Double] { self.config.initialWeights.values }
}
