/// The floating-point type of a problem's parameters and data: `--set dtype=float32|float64`.
public enum Precision: String, ParameterChoice, Codable {
    case float32, float64
}

extension Precision {
    /// Bytes of one value.
    public var bytes: Int { self == .float32 ? 4 : 8 }
}
