import Foundation

/// The amount and range arithmetic under `Resources`: fixed-point scalars, coalesced ranges, sets.
extension Resources {
    // MARK: Amount arithmetic

    /// Clamped so that sums of a few values cannot overflow, and huge inputs cannot trap.
    static func toMilli(_ value: Double) -> Int64 {
        let limit = Double(Int64(1) << 62)
        return Int64(max(-limit, min(limit, (value * 1000).rounded())))
    }

    static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }

    /// Amounts under the same key always have the same case, because the type is in the key.
    static func plus(_ a: Amount, _ b: Amount) -> Amount {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): return .scalar(saturatingAdd(x, y))
        case let (.ranges(x), .ranges(y)): return .ranges(union(x, y))
        case let (.set(x), .set(y)): return .set(x.union(y))
        default: return a
        }
    }

    /// Both inputs sorted, disjoint and non-adjacent: one merging pass instead of a sort.
    static func union(_ a: [ClosedRange<UInt64>], _ b: [ClosedRange<UInt64>]) -> [ClosedRange<UInt64>] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var result: [ClosedRange<UInt64>] = []
        result.reserveCapacity(a.count + b.count)
        var (i, j) = (0, 0)
        while i < a.count || j < b.count {
            let next: ClosedRange<UInt64>
            if j == b.count || (i < a.count && a[i].lowerBound <= b[j].lowerBound) {
                next = a[i]; i += 1
            } else {
                next = b[j]; j += 1
            }
            if let last = result.last, last.upperBound == .max || next.lowerBound <= last.upperBound + 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, next.upperBound)
            } else {
                result.append(next)
            }
        }
        return result
    }

    static func minus(_ a: Amount, _ b: Amount) -> Amount? {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): return x > y ? .scalar(x - y) : nil
        case let (.ranges(x), .ranges(y)):
            let rest = subtract(x, y)
            return rest.isEmpty ? nil : .ranges(rest)
        case let (.set(x), .set(y)):
            let rest = x.subtracting(y)
            return rest.isEmpty ? nil : .set(rest)
        default: return a
        }
    }

    static func contains(_ a: Amount, _ b: Amount) -> Bool {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): return x >= y
        case let (.ranges(x), .ranges(y)): return rangesContain(x, y)
        case let (.set(x), .set(y)): return y.isSubset(of: x)
        default: return false
        }
    }

    static func intersect(_ a: Amount, _ b: Amount) -> Amount? {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): return .scalar(min(x, y))
        case let (.ranges(x), .ranges(y)):
            let common = intersectRanges(x, y)
            return common.isEmpty ? nil : .ranges(common)
        case let (.set(x), .set(y)):
            let common = x.intersection(y)
            return common.isEmpty ? nil : .set(common)
        default: return nil
        }
    }

    // MARK: Range arithmetic (inputs sorted, disjoint and non-adjacent unless noted)

    /// Accepts any ranges; merges overlapping and adjacent ones, as Mesos does for ports.
    static func coalesce(_ ranges: [ClosedRange<UInt64>]) -> [ClosedRange<UInt64>] {
        var result: [ClosedRange<UInt64>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, last.upperBound == .max || range.lowerBound <= last.upperBound + 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }

    static func subtract(_ a: [ClosedRange<UInt64>], _ b: [ClosedRange<UInt64>]) -> [ClosedRange<UInt64>] {
        var result: [ClosedRange<UInt64>] = []
        var j = 0
        for range in a {
            while j < b.count && b[j].upperBound < range.lowerBound { j += 1 }
            var low = range.lowerBound
            var remains = true
            var k = j
            while k < b.count && b[k].lowerBound <= range.upperBound {
                let cut = b[k]
                if cut.lowerBound > low { result.append(low...(cut.lowerBound - 1)) }
                if cut.upperBound >= range.upperBound { remains = false; break }
                low = cut.upperBound + 1
                k += 1
            }
            if remains { result.append(low...range.upperBound) }
        }
        return result
    }

    static func rangesContain(_ a: [ClosedRange<UInt64>], _ b: [ClosedRange<UInt64>]) -> Bool {
        var i = 0
        for range in b {
            while i < a.count && a[i].upperBound < range.lowerBound { i += 1 }
            guard i < a.count, a[i].lowerBound <= range.lowerBound, range.upperBound <= a[i].upperBound else {
                return false
            }
        }
        return true
    }

    static func intersectRanges(_ a: [ClosedRange<UInt64>], _ b: [ClosedRange<UInt64>]) -> [ClosedRange<UInt64>] {
        var result: [ClosedRange<UInt64>] = []
        var (i, j) = (0, 0)
        while i < a.count && j < b.count {
            let low = max(a[i].lowerBound, b[j].lowerBound)
            let high = min(a[i].upperBound, b[j].upperBound)
            if low <= high { result.append(low...high) }
            if a[i].upperBound < b[j].upperBound { i += 1 } else { j += 1 }
        }
        return result
    }
}
