import Portico
import Testing

@Suite("portico status figures")
struct StatusFiguresTests {
    static let earlier = """
        # TYPE portico_requests_total counter
        portico_requests_total{era="stateless",method="tools/call",tool="echo",outcome="ok"} 100
        portico_requests_total{era="session",method="tools/list",tool="",outcome="ok"} 10
        portico_requests_total{era="stateless",method="tools/call",tool="other",outcome="error"} 1
        portico_tool_duration_seconds_bucket{tool="echo",le="0.001"} 50
        portico_tool_duration_seconds_bucket{tool="echo",le="0.01"} 100
        portico_tool_duration_seconds_bucket{tool="echo",le="+Inf"} 100
        """

    static let later = """
        portico_requests_total{era="stateless",method="tools/call",tool="echo",outcome="ok"} 300
        portico_requests_total{era="session",method="tools/list",tool="",outcome="ok"} 10
        portico_requests_total{era="stateless",method="tools/call",tool="other",outcome="error"} 5
        portico_requests_total{era="stateless",method="tools/call",tool="echo",outcome="tool_error"} 2
        portico_tool_duration_seconds_bucket{tool="echo",le="0.001"} 150
        portico_tool_duration_seconds_bucket{tool="echo",le="0.01"} 298
        portico_tool_duration_seconds_bucket{tool="echo",le="+Inf"} 306
        portico_open_streams{kind="listen"} 3
        portico_open_streams{kind="reply"} 1
        portico_sessions 7
        portico_bridge_children{source="py"} 2
        portico_bridge_children_up{source="py"} 1
        portico_nginx_up 1
        portico_nginx_connections_writing 4
        """

    @Test func ratesAreTheDifferenceBetweenScrapesOverTheInterval() {
        let figures = StatusFigures(from: MetricSamples(text: Self.earlier), to: MetricSamples(text: Self.later), seconds: 2)
        #expect(figures.callsPerSecond == 103)
        #expect(figures.requestsPerSecond == 103)
        #expect(figures.errorsPerSecond == 3)
        #expect(figures.openStreams == ["listen": 3, "reply": 1])
        #expect(figures.sessions == 7)
        #expect(figures.children == ["py": 2])
        #expect(figures.childrenUp == ["py": 1])
        #expect(figures.nginxUp == true)
        #expect(figures.nginx["writing"] == 4)
    }

    @Test func quantilesComeFromTheIntervalsBucketsNotTheWholeLife() throws {
        let figures = StatusFigures(from: MetricSamples(text: Self.earlier), to: MetricSamples(text: Self.later), seconds: 1)
        // 206 calls in the interval: 100 under 1 ms, 98 between 1 and 10 ms, 8 above.
        let p50 = try #require(figures.p50Milliseconds)
        #expect(abs(p50 - (1 + 9 * (103 - 100) / 98.0)) < 1e-9)
        #expect(figures.p99Milliseconds == 10)
    }

    @Test func noCallsMeansNoQuantiles() {
        let same = MetricSamples(text: Self.earlier)
        let figures = StatusFigures(from: same, to: same, seconds: 1)
        #expect(figures.p50Milliseconds == nil)
        #expect(figures.callsPerSecond == 0)
        #expect(figures.nginxUp == nil)
    }

    @Test(arguments: [
        (#"a{x="q\"uote",y="back\\slash"} 2"#, ["x": "q\"uote", "y": "back\\slash"], 2.0),
        (#"a{x="line\nfeed"} 1.5e3"#, ["x": "line\nfeed"], 1500.0),
        ("a 7", [:], 7.0),
        (#"a{le="+Inf"} +Inf"#, ["le": "+Inf"], Double.infinity),
    ])
    func samplesParseEscapedLabelValues(line: String, labels: [String: String], value: Double) throws {
        let sample = try #require(MetricSamples(text: line).samples.first)
        #expect(sample.name == "a")
        #expect(sample.labels == labels)
        #expect(sample.value == value)
    }

    @Test func malformedLinesAreSkipped() {
        #expect(MetricSamples(text: "a{x=\"open 1\nb{x=1} 2\nc notanumber\n").samples.isEmpty)
    }
}
