import Foundation

/// OFFERS events written by hand: a round offers every agent, and encoding ten thousand offers
/// through `JSONEncoder` took a sixth of the master's two cores in the state benchmark. What
/// it says is what the encoder would say (a test parses both): the parts most offers share
/// (their resources, attributes, URL, allocation) are encoded by it once per event and copied,
/// and the rest (IDs and hostname) is written here.
public enum OfferEventWriter {
    public static func encode(_ offers: [Offer]) -> Data? {
        guard let (head, tail) = envelope else { return try? WireCodec.encode(Event.offers(offers)) }
        var out = Data()
        out.reserveCapacity(head.count + tail.count + offers.count * 400)
        out.append(head)
        out.append(UInt8(ascii: "["))
        var memo = Memo()
        for (index, offer) in offers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard write(offer, into: &out, memo: &memo) else { return try? WireCodec.encode(Event.offers(offers)) }
        }
        out.append(UInt8(ascii: "]"))
        out.append(tail)
        return out
    }

    /// The event around its list of offers, as the encoder writes it with none: once per process.
    private static let envelope: (Data, Data)? = {
        guard let empty = try? WireCodec.encode(Event.offers([])),
              let gap = empty.range(of: Data("[]".utf8), options: .backwards) else { return nil }
        return (Data(empty[..<gap.lowerBound]), Data(empty[gap.upperBound...]))
    }()

    private struct Memo {
        var resources: [[Resource]: Data] = [:]
        var attributes: [[Attribute]: Data] = [:]
        var urls: [MesosURL: Data] = [:]
        var allocations: [AllocationInfo: Data] = [:]

        static func encoded<T: Encodable & Hashable>(_ value: T, in table: inout [T: Data]) -> Data? {
            if let known = table[value] { return known }
            guard let data = try? WireCodec.encode(value) else { return nil }
            table[value] = data
            return data
        }
    }

    /// False when a part could not be encoded: the caller then encodes the whole event.
    private static func write(_ offer: Offer, into out: inout Data, memo: inout Memo) -> Bool {
        func key(_ name: StaticString) { name.withUTF8Buffer { out.append(contentsOf: $0) } }
        func part(_ data: Data?) -> Bool {
            guard let data else { return false }
            out.append(data)
            return true
        }
        key(#"{"id":"#); guard identifier(offer.id.value, into: &out) else { return false }
        key(#","framework_id":"#); guard identifier(offer.frameworkId.value, into: &out) else { return false }
        key(#","agent_id":"#); guard identifier(offer.agentId.value, into: &out) else { return false }
        key(#","hostname":"#); guard string(offer.hostname, into: &out) else { return false }
        if let url = offer.url {
            key(#","url":"#); guard part(Memo.encoded(url, in: &memo.urls)) else { return false }
        }
        key(#","resources":"#); guard part(Memo.encoded(offer.resources, in: &memo.resources)) else { return false }
        if let attributes = offer.attributes {
            key(#","attributes":"#); guard part(Memo.encoded(attributes, in: &memo.attributes)) else { return false }
        }
        if let executors = offer.executorIds {
            key(#","executor_ids":"#); guard part(try? WireCodec.encode(executors)) else { return false }
        }
        if let allocation = offer.allocationInfo {
            key(#","allocation_info":"#); guard part(Memo.encoded(allocation, in: &memo.allocations)) else { return false }
        }
        if let unavailability = offer.unavailability {
            key(#","unavailability":"#); guard part(try? WireCodec.encode(unavailability)) else { return false }
        }
        out.append(UInt8(ascii: "}"))
        return true
    }

    private static func identifier(_ value: String, into out: inout Data) -> Bool {
        out.append(contentsOf: #"{"value":"#.utf8)
        guard string(value, into: &out) else { return false }
        out.append(UInt8(ascii: "}"))
        return true
    }

    /// A string as the encoder writes it: as it is when nothing in it needs escaping (IDs and
    /// hostnames), through the encoder otherwise.
    private static func string(_ value: String, into out: inout Data) -> Bool {
        let plain = value.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        guard plain else {
            guard let data = try? WireCodec.encode(value) else { return false }
            out.append(data)
            return true
        }
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: value.utf8)
        out.append(UInt8(ascii: "\""))
        return true
    }
}
