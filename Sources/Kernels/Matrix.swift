/// A dense row-major matrix that owns its storage at a fixed address, so rows can be handed
/// out as buffer pointers that stay valid for the matrix's lifetime (an `Array` gives no
/// such guarantee outside a `withUnsafe…` closure).
public final class Matrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    public let storage: UnsafeMutableBufferPointer<Double>

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        storage = .allocate(capacity: max(1, rows * columns))
        storage.initialize(repeating: 0)
    }

    /// Copies a row-major array of `rows·columns` entries.
    public convenience init(rows: Int, columns: Int, _ values: [Double]) {
        precondition(values.count == rows * columns, "\(values.count) values for a \(rows)×\(columns) matrix")
        self.init(rows: rows, columns: columns)
        _ = storage.update(fromContentsOf: values)
    }

    deinit { storage.deallocate() }

    public var base: UnsafeMutablePointer<Double> { storage.baseAddress! }

    /// Row i as a buffer of `columns` entries.
    @inlinable
    public func row(_ i: Int) -> UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(start: storage.baseAddress! + i * columns, count: columns)
    }

    public subscript(i: Int, j: Int) -> Double {
        get { storage[i * columns + j] }
        set { storage[i * columns + j] = newValue }
    }

    /// cⱼ = Σᵢ aᵢⱼ², the squared norm of every column, in one row-major pass.
    /// - Complexity: O(rows·columns).
    public func columnSquaredNorms(into c: UnsafeMutableBufferPointer<Double>) {
        precondition(c.count == columns)
        c.update(repeating: 0)
        for i in 0..<rows {
            let r = base + i * columns
            for j in 0..<columns { c[j] = c[j].addingProduct(r[j], r[j]) }
        }
    }
}
