import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Reply {
    /// `/metrics/snapshot`: one flat JSON object of name → number.
    public static func metricsSnapshot(_ values: [(name: String, value: Double)]) -> Response {
        json(.object(values.map { ($0.name, .number($0.value)) }))
    }

    /// `/metrics`: Prometheus's text exposition format.
    public static func prometheus(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `{"metrics": [{"name": ..., "value": ...}]}`, the payload of GET_METRICS.
    public static func metricsList(_ values: [(name: String, value: Double)]) -> JSONValue {
        .object([("metrics", .array(values.map { .object([("name", .string($0.name)), ("value", .number($0.value))]) }))])
    }
}
