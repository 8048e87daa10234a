/// A DEFLATE decoder (RFC 1951): a sequence of blocks, each stored, fixed-Huffman or
/// dynamic-Huffman coded, whose symbols are literal bytes or (length, distance) copies of earlier
/// output. `Gzip` runs one per member.
///
/// Codes are decoded through lookup tables indexed by the next bits of a 64-bit bit buffer:
/// a primary table of `rootBits` bits whose entries either decode a symbol or point to a
/// sub-table for the remaining bits of longer codes (as zlib's inflate_table does).
///
/// Every malformed stream ends in a `GzipError` naming the block and the byte: the decoder never
/// traps, never reads outside the input, and stops once the output would pass `maximumSize`.
struct Inflater {
    /// Blocks of each type decoded so far; tests check the fixtures reach each kind.
    struct BlockStatistics: Equatable {
        var stored = 0
        var fixed = 0
        var dynamic = 0
    }

    /// The output buffer always has this many bytes beyond the write position before a symbol
    /// is decoded: a longest match (258) plus the overrun of the 8-byte copy.
    static let outputSlack = 258 + 8

    let input: UnsafeBufferPointer<UInt8>
    let maximumSize: Int
    /// Next input byte to load into `bitBuffer`.
    private(set) var position: Int
    /// Bits not yet consumed, least significant first. Above `bitCount` it may hold copies of the
    /// following input bits (the 8-byte refill loads whole words), never anything else.
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    /// Byte at which the block being decoded starts, for messages.
    private var blockStart = 0
    private(set) var statistics = BlockStatistics()
    private var literalLengthTable: [UInt32] = []
    private var distanceTable: [UInt32] = []

    init(input: UnsafeBufferPointer<UInt8>, position: Int, maximumSize: Int) {
        self.input = input
        self.position = position
        // Clamped so that `maximumSize + outputSlack` and doubling cannot overflow.
        self.maximumSize = min(max(0, maximumSize), Int.max / 4)
    }

    /// Restarts at byte `position` with an empty bit buffer, for the next gzip member.
    mutating func reset(position: Int) {
        self.position = position
        bitBuffer = 0
        bitCount = 0
    }

    /// Decodes one deflate stream from `position`, appending its bytes to `output[count...]`;
    /// `count` is the number of bytes of `output` in use (the array itself runs further, see
    /// `outputSlack`). Back-references may reach only the bytes this stream produced. On return
    /// `position` is the first byte after the stream.
    mutating func inflate(into output: inout [UInt8], count: inout Int) throws(GzipError) {
        let windowStart = count
        while true {
            blockStart = bitPosition >> 3
            let header = try readBits(3)
            switch header >> 1 {
            case 0:
                statistics.stored += 1
                try copyStoredBlock(into: &output, count: &count)
            case 1:
                statistics.fixed += 1
                let fixed = Inflater.fixedTables
                try decodeHuffmanBlock(fixed.literalLength, fixed.distance, into: &output, count: &count, windowStart: windowStart)
            case 2:
                statistics.dynamic += 1
                try readDynamicTables()
                try decodeHuffmanBlock(literalLengthTable, distanceTable, into: &output, count: &count, windowStart: windowStart)
            default:
                throw blockError("invalid block type 3")
            }
            if count > maximumSize { throw sizeError() }
            if header & 1 != 0 { break }
        }
        // The final block ends mid-byte; whole bytes still in the buffer belong to what follows.
        bitCount -= bitCount & 7
        position -= bitCount >> 3
        bitBuffer = 0
        bitCount = 0
    }

    // MARK: Bits

    /// Bits consumed since the start of the input.
    private var bitPosition: Int { position * 8 - bitCount }

    private mutating func refillByBytes() {
        while bitCount <= 55 && position < input.count {
            bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
            position += 1
            bitCount += 8
        }
    }

    private mutating func readBits(_ n: Int) throws(GzipError) -> Int {
        if bitCount < n {
            refillByBytes()
            if bitCount < n { throw truncatedError() }
        }
        let value = Int(truncatingIfNeeded: bitBuffer & ((1 << UInt64(n)) - 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return value
    }

    // MARK: Errors

    private func blockError(_ message: String) -> GzipError {
        GzipError(message: "deflate block at byte \(blockStart): \(message)", offset: blockStart)
    }

    private func truncatedError() -> GzipError {
        GzipError(message: "truncated deflate stream at byte \(input.count) (in the block at byte \(blockStart))", offset: input.count)
    }

    private func sizeError() -> GzipError {
        blockError("output exceeds the maximum size of \(maximumSize) bytes")
    }

    // MARK: Stored blocks

    private mutating func copyStoredBlock(into output: inout [UInt8], count: inout Int) throws(GzipError) {
        // Stored data starts at the next byte boundary; rewind over the whole bytes the bit
        // buffer already holds so the copy can read straight from the input.
        bitCount -= bitCount & 7
        position -= bitCount >> 3
        bitBuffer = 0
        bitCount = 0
        guard input.count - position >= 4 else { throw truncatedError() }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == ~complement & 0xFFFF else {
            throw blockError("stored block length \(length) does not match its complement (LEN \(GzipError.hex(length, 4)), NLEN \(GzipError.hex(complement, 4)))")
        }
        position += 4
        guard input.count - position >= length else { throw truncatedError() }
        guard length <= maximumSize - count else { throw sizeError() }
        if length == 0 { return }
        if output.count - count < length { try grow(&output, toHold: count + length) }
        let source = input.baseAddress! + position
        let start = count
        output.withUnsafeMutableBufferPointer { out in
            (out.baseAddress! + start).update(from: source, count: length)
        }
        position += length
        count += length
    }

    /// Extends `output` to at least `needed` bytes, doubling so that growth stays linear and
    /// using capacity the caller reserved before allocating more.
    private func grow(_ output: inout [UInt8], toHold needed: Int) throws(GzipError) {
        let limit = maximumSize + Inflater.outputSlack
        guard needed <= limit else { throw sizeError() }
        var target = max(needed, 2 * output.count, 1 << 15)
        if output.capacity >= needed { target = min(target, output.capacity) }
        target = min(target, limit)
        // Appending copies of a zero buffer is a memcpy in every build; appending a
        // `repeatElement` is not always lowered to a memset.
        var remaining = target - output.count
        Inflater.zeros.withUnsafeBufferPointer { zeros in
            while remaining > 0 {
                let n = min(remaining, zeros.count)
                output.append(contentsOf: UnsafeBufferPointer(rebasing: zeros[..<n]))
                remaining -= n
            }
        }
    }

    private static let zeros = [UInt8](repeating: 0, count: 1 << 16)

    // MARK: Dynamic Huffman tables

    /// The order in which the code-length code's lengths are sent (RFC 1951 §3.2.7).
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private mutating func readDynamicTables() throws(GzipError) {
        let literalCount = try readBits(5) + 257
        let distanceCount = try readBits(5) + 1
        let codeLengthCount = try readBits(4) + 4
        // The 5-bit fields can announce 288 and 32 codes; symbols 286, 287, 30 and 31 never
        // occur in valid data, so zlib rejects such headers outright.
        guard literalCount <= 286 else { throw blockError("too many literal/length codes (HLIT \(literalCount), at most 286)") }
        guard distanceCount <= 30 else { throw blockError("too many distance codes (HDIST \(distanceCount), at most 30)") }

        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengthLengths[Inflater.codeLengthOrder[i]] = UInt8(try readBits(3)) }
        var codeLengthTable: [UInt32] = []
        switch Inflater.buildTable(codeLengthLengths, .codeLengths, rootBits: 7, into: &codeLengthTable) {
        case .complete, .incompleteAllowed: break
        case .overSubscribed: throw blockError("invalid code lengths set (over-subscribed)")
        case .incomplete: throw blockError("invalid code lengths set (incomplete)")
        }

        var lengths = [UInt8](repeating: 0, count: literalCount + distanceCount)
        var i = 0
        while i < lengths.count {
            let symbolByte = bitPosition >> 3
            // Code-length codes are at most 7 bits, so the primary table decodes them all.
            if bitCount < 7 { refillByBytes() }
            let entry = codeLengthTable[Int(truncatingIfNeeded: bitBuffer & 0x7F)]
            let bits = Int(entry & HuffmanEntry.bitsMask)
            guard bits <= bitCount else { throw truncatedError() }
            bitBuffer >>= UInt64(bits)
            bitCount -= bits
            let symbol = Int(entry >> 16)
            if symbol < 16 {
                lengths[i] = UInt8(symbol)
                i += 1
                continue
            }
            var value: UInt8 = 0
            let run: Int
            switch symbol {
            case 16:
                guard i > 0 else { throw blockError("invalid code length repeat at byte \(symbolByte): code 16 with no previous length") }
                value = lengths[i - 1]
                run = try 3 + readBits(2)
            case 17: run = try 3 + readBits(3)
            default: run = try 11 + readBits(7)
            }
            guard run <= lengths.count - i else {
                throw blockError("invalid code length repeat at byte \(symbolByte): \(run) lengths from code \(i) run past the \(lengths.count) codes")
            }
            for _ in 0..<run {
                lengths[i] = value
                i += 1
            }
        }
        guard lengths[256] != 0 else { throw blockError("missing end-of-block code (symbol 256 has code length 0)") }

        switch Inflater.buildTable(Array(lengths[..<literalCount]), .literalLength, rootBits: HuffmanEntry.literalLengthRootBits, into: &literalLengthTable) {
        case .complete, .incompleteAllowed: break
        case .overSubscribed: throw blockError("invalid literal/length code lengths (over-subscribed)")
        case .incomplete: throw blockError("invalid literal/length code lengths (incomplete)")
        }
        switch Inflater.buildTable(Array(lengths[literalCount...]), .distance, rootBits: HuffmanEntry.distanceRootBits, into: &distanceTable) {
        case .complete, .incompleteAllowed: break
        case .overSubscribed: throw blockError("invalid distance code lengths (over-subscribed)")
        case .incomplete: throw blockError("invalid distance code lengths (incomplete)")
        }
    }

    // MARK: Huffman blocks

    private mutating func decodeHuffmanBlock(
        _ literalLength: [UInt32], _ distance: [UInt32], into output: inout [UInt8], count: inout Int, windowStart: Int
    ) throws(GzipError) {
        while true {
            if output.count - count < Inflater.outputSlack { try grow(&output, toHold: count + Inflater.outputSlack) }
            // The hot loop takes its state as locals and raw pointers, which stay in registers
            // and need no exclusivity checks; it hands the state back whenever it returns.
            var state = BitState(buffer: bitBuffer, count: bitCount, position: position)
            var written = count
            let input = self.input
            let status = output.withUnsafeMutableBufferPointer { out in
                literalLength.withUnsafeBufferPointer { literalLength in
                    distance.withUnsafeBufferPointer { distance in
                        Inflater.decodeSymbols(
                            input: input, state: &state, output: out, count: &written, windowStart: windowStart,
                            literalLength: literalLength, distance: distance)
                    }
                }
            }
            bitBuffer = state.buffer
            bitCount = state.count
            position = state.position
            count = written
            switch status {
            case .endOfBlock: return
            case .outputFull: if count > maximumSize { throw sizeError() }
            case .truncated: throw truncatedError()
            case .invalidLiteralLength(let symbol, let bit):
                throw blockError("invalid literal/length symbol \(symbol) at byte \(bit >> 3)")
            case .invalidDistance(let symbol, let bit):
                throw blockError(symbol == HuffmanEntry.unusedCode
                    ? "invalid distance code at byte \(bit >> 3) (no symbol has it)"
                    : "invalid distance symbol \(symbol) at byte \(bit >> 3)")
            case .distanceTooFar(let distance, let available, let bit):
                throw blockError("distance \(distance) too far back at byte \(bit >> 3) (only \(available) bytes of output so far)")
            }
        }
    }

    struct BitState {
        var buffer: UInt64
        var count: Int
        var position: Int
    }

    enum SymbolStatus {
        case endOfBlock
        /// Fewer than `outputSlack` bytes are left in the output buffer.
        case outputFull
        case truncated
        /// `bit`: where the symbol's code starts, in bits from the start of the input.
        case invalidLiteralLength(symbol: Int, bit: Int)
        case invalidDistance(symbol: Int, bit: Int)
        case distanceTooFar(distance: Int, available: Int, bit: Int)
    }

    /// Decodes literal/length and distance symbols until the end-of-block code, an error, or the
    /// output buffer running low. While 8 input bytes remain, each symbol starts with ≥ 56 bits in
    /// the buffer, enough for the longest length code, its extra bits, and the longest distance
    /// code with its extra bits (15 + 5 + 15 + 13); near the end every step checks its bits.
    static func decodeSymbols(
        input: UnsafeBufferPointer<UInt8>, state: inout BitState, output: UnsafeMutableBufferPointer<UInt8>,
        count: inout Int, windowStart: Int, literalLength: UnsafeBufferPointer<UInt32>, distance: UnsafeBufferPointer<UInt32>
    ) -> SymbolStatus {
        guard let inputBase = input.baseAddress, let out = output.baseAddress,
              let literalTable = literalLength.baseAddress, let distanceTable = distance.baseAddress
        else { return .truncated }
        let inputCount = input.count
        let outputLimit = output.count - outputSlack
        var buffer = state.buffer
        var bits = state.count
        var position = state.position
        var written = count
        defer {
            state = BitState(buffer: buffer, count: bits, position: position)
            count = written
        }
        let literalMask = UInt64(1 << HuffmanEntry.literalLengthRootBits - 1)
        let distanceMask = UInt64(1 << HuffmanEntry.distanceRootBits - 1)

        while true {
            if written > outputLimit { return .outputFull }
            if position <= inputCount &- 8 {
                let word = UInt64(littleEndian: UnsafeRawPointer(inputBase + position).loadUnaligned(as: UInt64.self))
                buffer |= word &<< UInt64(bits)
                position &+= (63 &- bits) &>> 3
                bits |= 56
            } else {
                while bits <= 55 && position < inputCount {
                    buffer |= UInt64(inputBase[position]) &<< UInt64(bits)
                    position &+= 1
                    bits &+= 8
                }
            }
            let symbolStart = position &* 8 &- bits

            var entry = literalTable[Int(truncatingIfNeeded: buffer & literalMask)]
            if entry & HuffmanEntry.kindMask == HuffmanEntry.subtable {
                guard bits >= HuffmanEntry.literalLengthRootBits else { return .truncated }
                buffer &>>= UInt64(HuffmanEntry.literalLengthRootBits)
                bits &-= HuffmanEntry.literalLengthRootBits
                let subMask = UInt64(1) &<< UInt64(entry >> 4 & 0xF) &- 1
                entry = literalTable[Int(entry >> 16) &+ Int(truncatingIfNeeded: buffer & subMask)]
            }
            var n = Int(entry & HuffmanEntry.bitsMask)
            guard n <= bits else { return .truncated }
            buffer &>>= UInt64(n)
            bits &-= n
            let kind = entry & HuffmanEntry.kindMask
            if kind == HuffmanEntry.literal {
                out[written] = UInt8(truncatingIfNeeded: entry >> 16)
                written &+= 1
                continue
            }
            if kind != HuffmanEntry.lengthOrDistance {
                if kind == HuffmanEntry.endOfBlock { return .endOfBlock }
                return .invalidLiteralLength(symbol: Int(entry >> 16), bit: symbolStart)
            }

            n = Int(entry >> 4 & 0xF)
            guard n <= bits else { return .truncated }
            let length = Int(entry >> 16) &+ Int(truncatingIfNeeded: buffer & (UInt64(1) &<< UInt64(n) &- 1))
            buffer &>>= UInt64(n)
            bits &-= n

            let distanceStart = position &* 8 &- bits
            entry = distanceTable[Int(truncatingIfNeeded: buffer & distanceMask)]
            if entry & HuffmanEntry.kindMask == HuffmanEntry.subtable {
                guard bits >= HuffmanEntry.distanceRootBits else { return .truncated }
                buffer &>>= UInt64(HuffmanEntry.distanceRootBits)
                bits &-= HuffmanEntry.distanceRootBits
                let subMask = UInt64(1) &<< UInt64(entry >> 4 & 0xF) &- 1
                entry = distanceTable[Int(entry >> 16) &+ Int(truncatingIfNeeded: buffer & subMask)]
            }
            n = Int(entry & HuffmanEntry.bitsMask)
            guard n <= bits else { return .truncated }
            buffer &>>= UInt64(n)
            bits &-= n
            guard entry & HuffmanEntry.kindMask == HuffmanEntry.lengthOrDistance else {
                return .invalidDistance(symbol: Int(entry >> 16), bit: distanceStart)
            }
            n = Int(entry >> 4 & 0xF)
            guard n <= bits else { return .truncated }
            let dist = Int(entry >> 16) &+ Int(truncatingIfNeeded: buffer & (UInt64(1) &<< UInt64(n) &- 1))
            buffer &>>= UInt64(n)
            bits &-= n
            guard dist <= written &- windowStart else {
                return .distanceTooFar(distance: dist, available: written &- windowStart, bit: distanceStart)
            }

            var to = out + written
            var from = to - dist
            if dist >= 8 {
                // Each 8-byte chunk reads bytes at least 8 behind where it writes, so they are
                // already final; the last chunk may write up to 7 bytes past the match, inside
                // the slack, and those get overwritten later.
                let end = to + length
                repeat {
                    UnsafeMutableRawPointer(to).storeBytes(of: UnsafeRawPointer(from).loadUnaligned(as: UInt64.self), as: UInt64.self)
                    from += 8
                    to += 8
                } while to < end
            } else if dist == 1 {
                to.update(repeating: from.pointee, count: length)
            } else {
                // Overlapping with a short period: byte by byte, each read sees the bytes just written.
                for k in 0..<length { to[k] = from[k] }
            }
            written &+= length
        }
    }

    // MARK: Table construction

    enum Alphabet { case literalLength, distance, codeLengths }

    enum TableResult { case complete, incompleteAllowed, overSubscribed, incomplete }

    /// Builds the decode table for canonical Huffman code lengths (RFC 1951 §3.2.2), replacing
    /// `table`. Over-subscribed lengths are refused; incomplete ones as well, except (like zlib)
    /// a literal/length or distance code with no codes or a single one-bit code: RFC 1951
    /// §3.2.7 sends one distance code with one bit, leaving the other bit pattern unused.
    static func buildTable(_ lengths: [UInt8], _ alphabet: Alphabet, rootBits: Int, into table: inout [UInt32]) -> TableResult {
        var lengthCounts = [Int](repeating: 0, count: 16)
        for length in lengths { lengthCounts[Int(length)] += 1 }
        lengthCounts[0] = 0
        var left = 1
        var longest = 0
        for length in 1...15 {
            left = left << 1 - lengthCounts[length]
            if left < 0 { return .overSubscribed }
            if lengthCounts[length] != 0 { longest = length }
        }
        if left > 0 && (alphabet == .codeLengths || longest > 1) { return .incomplete }

        // Symbols sorted by (length, symbol): canonical codes count up along this order.
        var offsets = [Int](repeating: 0, count: 16)
        for length in 1..<15 { offsets[length + 1] = offsets[length] + lengthCounts[length] }
        let used = offsets[15] + lengthCounts[15]
        var sorted = [Int](repeating: 0, count: used)
        for (symbol, length) in lengths.enumerated() where length != 0 {
            sorted[offsets[Int(length)]] = symbol
            offsets[Int(length)] += 1
        }
        var codes = [Int](repeating: 0, count: used)
        var code = 0
        var previousLength = 0
        for k in 0..<used {
            let length = Int(lengths[sorted[k]])
            code <<= length - previousLength
            previousLength = length
            codes[k] = code
            code += 1
        }

        let rootSize = 1 << rootBits
        table.removeAll(keepingCapacity: true)
        table.append(contentsOf: repeatElement(HuffmanEntry.unused, count: rootSize))
        // Codes are sent most significant bit first but the bit buffer is read from its least
        // significant end, so tables are indexed by bit-reversed codes; a code shorter than the
        // table fills every index whose low bits are its reversal.
        var k = 0
        while k < used && Int(lengths[sorted[k]]) <= rootBits {
            let length = Int(lengths[sorted[k]])
            let entry = HuffmanEntry.make(sorted[k], alphabet) | UInt32(length)
            var index = reverse(codes[k], length)
            while index < rootSize {
                table[index] = entry
                index += 1 << length
            }
            k += 1
        }
        // Longer codes sharing their first `rootBits` bits share one sub-table, sized for the
        // longest of them (the last in canonical order).
        while k < used {
            let prefix = codes[k] >> (Int(lengths[sorted[k]]) - rootBits)
            var end = k + 1
            while end < used && codes[end] >> (Int(lengths[sorted[end]]) - rootBits) == prefix { end += 1 }
            let subBits = Int(lengths[sorted[end - 1]]) - rootBits
            let base = table.count
            table.append(contentsOf: repeatElement(HuffmanEntry.unused, count: 1 << subBits))
            table[reverse(prefix, rootBits)] = HuffmanEntry.subtable | UInt32(base) << 16 | UInt32(subBits) << 4 | UInt32(rootBits)
            for m in k..<end {
                let rest = Int(lengths[sorted[m]]) - rootBits
                let entry = HuffmanEntry.make(sorted[m], alphabet) | UInt32(rest)
                var index = reverse(codes[m] & (1 << rest - 1), rest)
                while index < 1 << subBits {
                    table[base + index] = entry
                    index += 1 << rest
                }
            }
            k = end
        }
        return left == 0 ? .complete : .incompleteAllowed
    }

    private static func reverse(_ code: Int, _ length: Int) -> Int {
        var reversed = 0
        var c = code
        for _ in 0..<length {
            reversed = reversed << 1 | c & 1
            c >>= 1
        }
        return reversed
    }

    /// The fixed codes of RFC 1951 §3.2.6, including symbols 286, 287, 30 and 31, which decode
    /// to invalid entries.
    static let fixedTables: (literalLength: [UInt32], distance: [UInt32]) = {
        var lengths = [UInt8](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        var literalLength: [UInt32] = []
        _ = buildTable(lengths, .literalLength, rootBits: HuffmanEntry.literalLengthRootBits, into: &literalLength)
        var distance: [UInt32] = []
        _ = buildTable([UInt8](repeating: 5, count: 32), .distance, rootBits: HuffmanEntry.distanceRootBits, into: &distance)
        return (literalLength, distance)
    }()
}

/// A decode-table entry, a UInt32: bits 0–3 the code bits to consume (for a sub-table pointer,
/// the root bits), bits 4–7 the extra bits that follow (for a pointer, the sub-table's index
/// bits), bits 8–10 the kind, bits 16–31 the value (literal, base length or distance, symbol of
/// an invalid code, or the sub-table's offset).
enum HuffmanEntry {
    static let literalLengthRootBits = 10
    static let distanceRootBits = 8

    static let bitsMask: UInt32 = 0xF
    static let kindMask: UInt32 = 7 << 8
    static let literal: UInt32 = 0 << 8
    static let lengthOrDistance: UInt32 = 1 << 8
    static let endOfBlock: UInt32 = 2 << 8
    static let subtable: UInt32 = 3 << 8
    static let invalid: UInt32 = 4 << 8

    /// Value of an invalid entry that no symbol owns (the spare code of an incomplete set).
    static let unusedCode = 0xFFFF
    /// Fills the slots no code reaches. One bit, so that with no bits left the decoder reports
    /// truncation rather than a bad code.
    static let unused: UInt32 = invalid | UInt32(unusedCode) << 16 | 1

    static let lengthBase: [UInt32] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [UInt32] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [UInt32] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ]
    static let distanceExtra: [UInt32] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// The entry for `symbol` without its code bits.
    static func make(_ symbol: Int, _ alphabet: Inflater.Alphabet) -> UInt32 {
        switch alphabet {
        case .codeLengths:
            return literal | UInt32(symbol) << 16
        case .literalLength:
            if symbol < 256 { return literal | UInt32(symbol) << 16 }
            if symbol == 256 { return endOfBlock }
            if symbol <= 285 { return lengthOrDistance | lengthBase[symbol - 257] << 16 | lengthExtra[symbol - 257] << 4 }
            return invalid | UInt32(symbol) << 16
        case .distance:
            if symbol < 30 { return lengthOrDistance | distanceBase[symbol] << 16 | distanceExtra[symbol] << 4 }
            return invalid | UInt32(symbol) << 16
        }
    }
}
