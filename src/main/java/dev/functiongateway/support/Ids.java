package dev.functiongateway.support;

import java.util.UUID;

/**
 * Strict id parsing. {@link UUID#fromString} accepts {@code 1-2-3-4-5} and short groups, so a version id missing
 * a character would silently name another version; here only the canonical 8-4-4-4-12 hexadecimal form passes.
 */
public final class Ids {

    private static final int LENGTH = 36;
    /** Longest part of a refused value repeated in the error message. */
    private static final int ECHO_LENGTH = 64;

    private Ids() {
    }

    /**
     * Parses a UUID in its canonical form, either case.
     *
     * @throws IllegalArgumentException with a message fit for a client, naming the value (cut, escaped)
     */
    public static UUID parseUuid(String text) {
        if (!isCanonicalUuid(text)) {
            throw new IllegalArgumentException("'" + LogSafe.escape(text, ECHO_LENGTH)
                    + "' is not a UUID (8-4-4-4-12 hexadecimal digits)");
        }
        String high = text.substring(0, 8) + text.substring(9, 13) + text.substring(14, 18);
        String low = text.substring(19, 23) + text.substring(24, 36);
        return new UUID(Long.parseUnsignedLong(high, 16), Long.parseUnsignedLong(low, 16));
    }

    /** True for exactly 8-4-4-4-12 hexadecimal digits. */
    public static boolean isCanonicalUuid(String text) {
        if (text == null || text.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = text.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : Character.digit(c, 16) < 0 || c > 'f') {
                return false;
            }
        }
        return true;
    }
}
