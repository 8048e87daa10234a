/// The constants theory states its rates and step sizes with, as far as a problem knows them:
/// for F = (1/n) Σᵢ fᵢ, L-smooth and μ-strongly convex, with Hessian spectrum λ (least squares).
/// A prescribed step that needs a constant the problem does not know is an error, not a silent
/// default (`value(_:for:)`).
public struct TheoryConstants: Sendable, Equatable {
    /// L, a Lipschitz constant of ∇F (λmax for least squares).
    public var smoothness: Double?
    /// μ, the strong-convexity modulus (λmin for least squares).
    public var strongConvexity: Double?
    /// L_max = maxᵢ Lᵢ, the worst sample's smoothness (SAG/SAGA/SVRG steps).
    public var maxSampleSmoothness: Double?
    /// λmax, λmin and λavg of the Hessian of a quadratic.
    public var lambdaMax: Double?
    public var lambdaMin: Double?
    public var lambdaAverage: Double?
    /// F* = min F.
    public var optimalValue: Double?
    public var sampleCount: Int
    public var dimension: Int

    public init(sampleCount: Int, dimension: Int, optimalValue: Double? = nil) {
        self.sampleCount = sampleCount
        self.dimension = dimension
        self.optimalValue = optimalValue
    }

    /// κ = L/μ.
    public var conditionNumber: Double? { smoothness.flatMap { l in strongConvexity.map { l / $0 } } }
    /// κ_D = λavg/λmin.
    public var averageConditionNumber: Double? { lambdaAverage.flatMap { a in lambdaMin.map { a / $0 } } }
    /// λmax/λavg.
    public var spectralRatio: Double? { lambdaMax.flatMap { m in lambdaAverage.map { m / $0 } } }

    /// A constant by name, for prescribed hyper-parameters and theory columns.
    public enum Name: String, Sendable, CaseIterable {
        case smoothness = "L", strongConvexity = "mu", maxSampleSmoothness = "L_max"
        case lambdaMax = "lambda_max", lambdaMin = "lambda_min", lambdaAverage = "lambda_avg"
        case conditionNumber = "kappa", averageConditionNumber = "kappa_D", spectralRatio = "lambda_max/lambda_avg"
        case optimalValue = "F*"
    }

    public subscript(name: Name) -> Double? {
        switch name {
        case .smoothness: smoothness
        case .strongConvexity: strongConvexity
        case .maxSampleSmoothness: maxSampleSmoothness
        case .lambdaMax: lambdaMax
        case .lambdaMin: lambdaMin
        case .lambdaAverage: lambdaAverage
        case .conditionNumber: conditionNumber
        case .averageConditionNumber: averageConditionNumber
        case .spectralRatio: spectralRatio
        case .optimalValue: optimalValue
        }
    }

    /// The constant `name`, or an error saying who needed it.
    public func value(_ name: Name, for user: String) throws(ConfigurationError) -> Double {
        guard let v = self[name], v.isFinite else {
            throw ConfigurationError("\(user) needs the theory constant \(name.rawValue), which this problem does not know")
        }
        return v
    }
}
