package dev.atoll.host.bindings;

/**
 * Sees every outbound request of the {@code fetch} binding before it goes out, and every response
 * before it reaches the guest, and may let it pass, block it or replace it (redaction). The gateway's
 * DLP implements it; the default lets everything pass.
 *
 * <p>Called on a virtual thread of the binding, never on the guest thread; it may block, within the
 * request's time budget (a request whose inspection outlasts its timeout ends as {@code timeout}).
 * An exception blocks the request (fail closed). Implementations must be thread-safe. Secrets appear
 * only as placeholders in what it sees.
 */
public interface EgressInspector {

    /**
     * @param request the request about to go out (each redirect hop is inspected again)
     * @return the verdict
     */
    InspectionVerdict onRequest(InspectedRequest request);

    /**
     * @param request the request (as inspected) that got this response
     * @param response the final response (not a followed redirect)
     * @return the verdict
     */
    InspectionVerdict onResponse(InspectedRequest request, InspectedResponse response);

    /** @return an inspector that lets everything pass */
    static EgressInspector none() {
        return new EgressInspector() {
            @Override
            public InspectionVerdict onRequest(InspectedRequest request) {
                return InspectionVerdict.allow();
            }

            @Override
            public InspectionVerdict onResponse(InspectedRequest request, InspectedResponse response) {
                return InspectionVerdict.allow();
            }
        };
    }
}
