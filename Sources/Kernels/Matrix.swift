/// A dense row-major matrix of `Float` or `Double` that owns its storage at a fixed address, so
/// rows can be handed out as buffer pointers that stay valid for the matrix's lifetime (an
/// `Array` gives no such guarantee outside a `withUnsafe…` closure).
///
/// Immutable once built and shared across threads by the problems that own one: it is
/// `Sendable` on that promise, which the compiler cannot check through the raw storage.
public final class Matrix<Scalar: KernelScalar>: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    public let storage: UnsafeMutableBufferPointer<Scalar>

    /// A rows×columns matrix of zeros.
    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        storage = .allocate(capacity: max(1, rows * columns))
        storage.initialize(repeating: 0)
    }

    /// Copies a row-major array of `rows·columns` entries.
    public convenience init(rows: Int, columns: Int, _ values: [Scalar]) {
        precondition(values.count == rows * columns, "\(values.count) values for a \(rows)×\(columns) matrix")
        self.init(rows: rows, columns: columns)
        _ = storage.update(fromContentsOf: values)
    }

    /// `other` with every entry rounded to the nearest `Scalar` (exact when widening).
    /// - Complexity: O(rows·columns).
    @inlinable
    public convenience init<Source: KernelScalar>(converting other: Matrix<Source>) {
        self.init(rows: other.rows, columns: other.columns)
        for k in 0..<(rows * columns) { storage[k] = Scalar(other.storage[k]) }
    }

    deinit { storage.deallocate() }

    @inlinable
    public var base: UnsafeMutablePointer<Scalar> { storage.baseAddress! }

    /// Row i as a buffer of `columns` entries.
    @inlinable
    public func row(_ i: Int) -> UnsafeMutableBufferPointer<Scalar> {
        UnsafeMutableBufferPointer(start: storage.baseAddress! + i * columns, count: columns)
    }

    @inlinable
    public subscript(i: Int, j: Int) -> Scalar {
        get { storage[i * columns + j] }
        set { storage[i * columns + j] = newValue }
    }

    /// cⱼ = Σᵢ aᵢⱼ², the squared norm of every column, in one row-major pass.
    /// - Complexity: O(rows·columns).
    @inlinable
    public func columnSquaredNorms(into c: UnsafeMutableBufferPointer<Scalar>) {
        precondition(c.count == columns)
        c.update(repeating: 0)
        for i in 0..<rows {
            let r = base + i * columns
            for j in 0..<columns { c[j] = c[j].addingProduct(r[j], r[j]) }
        }
    }
}
