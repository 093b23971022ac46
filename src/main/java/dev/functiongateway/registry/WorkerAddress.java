package dev.functiongateway.registry;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

import io.netty.util.NetUtil;

/**
 * A worker's {@code host:port}; IPv6 hosts are written in brackets, {@code [::1]:8001}.
 *
 * <p>An address exists only in a form that the gateway can both store and dial: a DNS name (RFC 1123 labels), a
 * dotted IPv4 address, or an IPv6 literal (bracketed in text), with a port from 1 to 65535. The constructor
 * checks it, so its stored text ({@link #toString}) always parses back to the same address, and the same
 * {@link #parse} reads the database: nothing is written that a later read would refuse.
 */
public record WorkerAddress(String host, int port) {

    /** @throws IllegalArgumentException if the host is not a name or address the gateway can dial */
    public WorkerAddress {
        if (host == null || !(host.indexOf(':') >= 0 ? isIpv6Literal(host) : isHostName(host))) {
            throw new IllegalArgumentException("endpoint host '" + host + "' is invalid: use a DNS name,"
                    + " an IPv4 address or a bracketed IPv6 address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("endpoint port " + port + " is invalid: use 1 to 65535");
        }
    }

    private static final int MAX_HOST = 253;
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern NUMERIC = Pattern.compile("[0-9.]+");

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
        int port = parsePort(text.substring(colon + 1));
        // A bare host with a colon is an unbracketed IPv6 address: ambiguous with the port, so refused.
        if (bracketed != (bareHost.indexOf(':') >= 0) || port < 1 || port > 65535) {
            throw new IllegalArgumentException("endpoint must be host:port with a port from 1 to 65535 and an"
                    + " IPv6 host in brackets, got '" + text + "'");
        }
        try {
            return new WorkerAddress(bareHost, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("endpoint '" + text + "' has an invalid host: use a DNS name,"
                    + " an IPv4 address or a bracketed IPv6 address");
        }
    }

    private static boolean isIpv6Literal(String host) {
        // Zones ("%eth0") name an interface of one machine: meaningless in a shared registry. In brackets, the
        // JDK reads the text as an IPv6 literal only (no name lookup), and more strictly than Netty's NetUtil,
        // which lets ":::::" through.
        if (host.indexOf('%') >= 0 || host.length() > 45) {
            return false;
        }
        try {
            return InetAddress.getByName("[" + host + "]") instanceof Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A DNS name of RFC 1123 labels, or a dotted IPv4 address; an all-numeric name must be a valid IPv4. */
    private static boolean isHostName(String host) {
        if (host.isEmpty() || host.length() > MAX_HOST) {
            return false;
        }
        if (NUMERIC.matcher(host).matches()) {
            return NetUtil.isValidIpV4Address(host);
        }
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    private static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Integer.parseInt(text);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
