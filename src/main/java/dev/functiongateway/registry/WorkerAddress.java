package dev.functiongateway.registry;

import java.util.regex.Pattern;

/** A worker's {@code host:port}; IPv6 hosts are written in brackets, {@code [::1]:8001}. */
public record WorkerAddress(String host, int port) {

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    /** Parses {@code host:port}; throws {@link IllegalArgumentException} with a message fit for a client. */
    public static WorkerAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("endpoint must be host:port, got an empty value");
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("endpoint must be host:port, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        String bareHost = bracketed ? host.substring(1, host.length() - 1) : host;
        if (!(bracketed ? IPV6.matcher(bareHost).matches() : HOST.matcher(host).matches())) {
            throw new IllegalArgumentException("endpoint '" + text + "' has an invalid host");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("endpoint '" + text + "' needs a port from 1 to 65535");
        }
        return new WorkerAddress(bareHost, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
