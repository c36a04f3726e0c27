/**
 * Requests the Worker makes to itself (the auth_api.php wrapper calling a route's own handler).
 * They keep the outer request's id so the answer is exactly what the direct route gives, and no
 * client can claim this: membership is by object identity, never by a header.
 */
const internalRequestIds = new WeakMap<Request, string>();

export function markInternal(request: Request, requestId: string): Request {
  internalRequestIds.set(request, requestId);
  return request;
}

export function internalRequestId(request: Request): string | undefined {
  return internalRequestIds.get(request);
}
