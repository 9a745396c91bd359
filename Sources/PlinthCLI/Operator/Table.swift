import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain-text table that fits the terminal: the widest column gives way (its cells cut with
/// "…") until the line fits. Into a pipe nothing is cut, so scripts get whole IDs. State names are coloured when writing to a terminal (not with
/// NO_COLOR set, and never into a pipe).
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func add(_ cells: String...) { rows.append(cells) }

    func render(width: Int = Table.terminalWidth(), colour: Bool = Table.colourWanted()) -> String {
        var widths = headers.indices.map { column in ([headers] + rows).map { $0[column].count }.max() ?? 0 }
        while widths.reduce(0, +) + 2 * (widths.count - 1) > width, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }),
              widths[widest] > 8 {
            widths[widest] -= 1
        }
        func line(_ cells: [String], header: Bool) -> String {
            cells.indices.map { column -> String in
                var cell = cells[column]
                if cell.count > widths[column] { cell = String(cell.prefix(widths[column] - 1)) + "…" }
                let padded = cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                guard colour else { return padded }
                if header { return "\u{1B}[1m\(padded)\u{1B}[0m" }
                return Table.colourCode(cell).map { "\u{1B}[\($0)m\(padded)\u{1B}[0m" } ?? padded
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return ([line(headers, header: true)] + rows.map { line($0, header: false) }).joined(separator: "\n")
    }

    static func colourCode(_ cell: String) -> Int? {
        switch cell {
        case "TASK_RUNNING", "TASK_FINISHED", "true": 32
        case "TASK_FAILED", "TASK_ERROR", "TASK_LOST", "TASK_GONE", "TASK_DROPPED", "false": 31
        case "TASK_KILLED", "TASK_KILLING", "TASK_UNREACHABLE", "TASK_STAGING", "TASK_STARTING": 33
        default: nil
        }
    }

    static func terminalWidth() -> Int {
        guard isatty(STDOUT_FILENO) == 1 else { return Int.max / 2 }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 120
    }

    static func colourWanted() -> Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.hasSuffix(" ") { copy.removeLast() }
        return copy
    }
}
