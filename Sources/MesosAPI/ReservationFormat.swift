/// Mesos has two ways to write a reservation. Frameworks without RESERVATION_REFINEMENT use
/// the old one (`role` plus an optional `reservation` for dynamic reservations); everything
/// newer uses a `reservations` stack. Plinth keeps the stack form inside and converts at the
/// edges, so resources compare equal whichever way a client wrote them.
extension Resource {
    /// The same resource in the stack form: `role: "eng"` becomes a STATIC reservation, `role`
    /// plus `reservation` a DYNAMIC one, and `role: "*"` nothing.
    public var upgraded: Resource {
        var r = self
        r.role = nil
        r.reservation = nil
        if let stack = reservations, !stack.isEmpty { return r }
        r.reservations = nil
        guard let role = role, role != "*" else { return r }
        if let old = reservation {
            r.reservations = [ReservationInfo(type: .DYNAMIC, role: role, principal: old.principal, labels: old.labels)]
        } else {
            r.reservations = [ReservationInfo(type: .STATIC, role: role)]
        }
        return r
    }

    /// The same resource in the old form, for frameworks without RESERVATION_REFINEMENT; nil
    /// for a refined reservation (a stack deeper than one), which such frameworks cannot read.
    public var downgraded: Resource? {
        var r = self
        let stack = reservations ?? []
        guard stack.count <= 1 else { return nil }
        r.reservations = nil
        guard let only = stack.first else { r.role = "*"; return r }
        r.role = only.role ?? "*"
        r.reservation = only.type == .DYNAMIC ? ReservationInfo(principal: only.principal, labels: only.labels) : nil
        return r
    }

    /// Whether the newest reservation on the stack was made at run time.
    public var isDynamicallyReserved: Bool { reservations?.last?.type == .DYNAMIC }
}

extension Array where Element == Resource {
    public var upgraded: [Resource] { map(\.upgraded) }

    /// Resources as a client wrote them, made comparable with the master's own: the stack form
    /// of reservations and no allocation tags.
    public var normalized: Resources { Resources(upgraded).unallocated }

    /// For a framework that cannot read refined reservations: drops those, converts the rest.
    public var downgraded: [Resource] { compactMap(\.downgraded) }
}
