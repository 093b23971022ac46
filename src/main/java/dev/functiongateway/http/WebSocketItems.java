package dev.functiongateway.http;

import java.util.ArrayList;
import java.util.List;

import org.springframework.cloud.gateway.filter.WebsocketRoutingFilter;
import org.springframework.http.HttpHeaders;

/**
 * What a browser, which cannot set headers on a WebSocket, sends as {@code Sec-WebSocket-Protocol} items instead:
 * {@code authorization.<key>}, {@code function-id.<uuid>} and {@code nvcf-reqid.<id>}. These are the gateway's and
 * never go upstream; the other items (the application's own subprotocols) do.
 *
 * @param answer the item to answer the browser with when it offered no subprotocol of its own (a browser fails a
 *               WebSocket whose answer names none of the items it sent): its {@code function-id} or
 *               {@code nvcf-reqid} item, never the key; null when the application has subprotocols to choose from
 */
record WebSocketItems(String authorization, String functionId, String requestId, List<String> upstream,
        String answer) {

    static final WebSocketItems NONE = new WebSocketItems(null, null, null, List.of(), null);
    private static final String KEY = "authorization.";
    private static final String FUNCTION = "function-id.";
    private static final String REQUEST_ID = "nvcf-reqid.";

    static WebSocketItems of(HttpHeaders headers) {
        String authorization = null;
        String functionId = null;
        String requestId = null;
        String answer = null;
        List<String> upstream = new ArrayList<>();
        for (String header : headers.getOrEmpty(WebsocketRoutingFilter.SEC_WEBSOCKET_PROTOCOL)) {
            for (String item : header.split(",")) {
                String trimmed = item.trim();
                if (trimmed.startsWith(KEY)) {
                    authorization = "Bearer " + trimmed.substring(KEY.length());
                } else if (trimmed.startsWith(FUNCTION)) {
                    functionId = trimmed.substring(FUNCTION.length());
                    answer = trimmed;
                } else if (trimmed.startsWith(REQUEST_ID)) {
                    requestId = trimmed.substring(REQUEST_ID.length());
                    answer = answer == null ? trimmed : answer;
                } else if (!trimmed.isEmpty()) {
                    upstream.add(trimmed);
                }
            }
        }
        return new WebSocketItems(authorization, functionId, requestId, List.copyOf(upstream),
                upstream.isEmpty() ? answer : null);
    }
}
