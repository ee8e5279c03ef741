public import Hummingbird

/// Answers CORS preflights and marks cross-origin answers for the origins of a ``CORSPolicy``.
///
/// Origins outside the policy get no CORS headers (the browser then withholds the answer);
/// whether they may call at all is the ``OriginPolicy``'s decision, made by the endpoint.
public struct CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: CORSPolicy

    public init(policy: CORSPolicy) {
        self.policy = policy
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], policy.allows(origin: origin) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(
                status: .noContent,
                headers: policy.preflightHeaders(origin: origin, requestedHeaders: request.headers[.accessControlRequestHeaders]))
        }
        var response = try await next(request, context)
        policy.decorate(&response.headers, origin: origin)
        return response
    }
}
