import OptBenchKernels

// Fused single-pass updates for variance-reduced steps on linear models, where a sample
// gradient is a scalar times a feature row. Each touches x, w and one d-vector once while they
// sit in L1; separate axpy calls would stream w three times per step.

/// w ← c·w − a·x − η·v and v ← v + e·x, in one pass (SAGA: v = ḡ, the table average).
/// - Complexity: O(d).
@inline(__always)
func fusedUpdate<T: KernelScalar>(_ d: Int, w: UnsafeMutablePointer<T>, scale c: T, rowStep a: T,
                                  x: UnsafePointer<T>, eta: T, average v: UnsafeMutablePointer<T>, averageStep e: T) {
    typealias V = T.Vector
    let lanes = T.lanes
    let cv = V(repeating: c), av = V(repeating: -a), ev = V(repeating: -eta), uv = V(repeating: e)
    var k = 0
    while k + lanes <= d {
        let xk = UnsafeRawPointer(x + k).loadUnaligned(as: V.self)
        let wk = UnsafeRawPointer(w + k).loadUnaligned(as: V.self)
        let vk = UnsafeRawPointer(v + k).loadUnaligned(as: V.self)
        let wn = (wk * cv).addingProduct(xk, av).addingProduct(vk, ev)
        UnsafeMutableRawPointer(w + k).storeBytes(of: wn, as: V.self)
        UnsafeMutableRawPointer(v + k).storeBytes(of: vk.addingProduct(xk, uv), as: V.self)
        k += lanes
    }
    while k < d {
        w[k] = (w[k] * c).addingProduct(x[k], -a).addingProduct(v[k], -eta)
        v[k] = v[k].addingProduct(x[k], e)
        k += 1
    }
}

/// w ← c·w − a·x − η·v + b·u, in one pass (SVRG: v = ∇F(w̃), u = w̃, c = 1 − ηλ, b = ηλ).
/// - Complexity: O(d).
@inline(__always)
func fusedUpdate<T: KernelScalar>(_ d: Int, w: UnsafeMutablePointer<T>, scale c: T, rowStep a: T,
                                  x: UnsafePointer<T>, eta: T, direction v: UnsafePointer<T>,
                                  anchorStep b: T, anchor u: UnsafePointer<T>) {
    typealias V = T.Vector
    let lanes = T.lanes
    let cv = V(repeating: c), av = V(repeating: -a), ev = V(repeating: -eta), bv = V(repeating: b)
    var k = 0
    if b == 0 {
        while k + lanes <= d {
            let xk = UnsafeRawPointer(x + k).loadUnaligned(as: V.self)
            let wk = UnsafeRawPointer(w + k).loadUnaligned(as: V.self)
            let vk = UnsafeRawPointer(v + k).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(w + k).storeBytes(of: (wk * cv).addingProduct(xk, av).addingProduct(vk, ev), as: V.self)
            k += lanes
        }
    } else {
        while k + lanes <= d {
            let xk = UnsafeRawPointer(x + k).loadUnaligned(as: V.self)
            let wk = UnsafeRawPointer(w + k).loadUnaligned(as: V.self)
            let vk = UnsafeRawPointer(v + k).loadUnaligned(as: V.self)
            let uk = UnsafeRawPointer(u + k).loadUnaligned(as: V.self)
            let wn = (wk * cv).addingProduct(xk, av).addingProduct(vk, ev).addingProduct(uk, bv)
            UnsafeMutableRawPointer(w + k).storeBytes(of: wn, as: V.self)
            k += lanes
        }
    }
    while k < d {
        w[k] = (w[k] * c).addingProduct(x[k], -a).addingProduct(v[k], -eta).addingProduct(u[k], b)
        k += 1
    }
}
