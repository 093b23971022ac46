package dev.functiongateway.auth;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The shape of generated keys: {@code fgw_}, 43 base62 characters carrying 256 random bits, and 6 base62
 * characters of CRC-32 over those, so that a mistyped or truncated key is refused before any lookup.
 * Imported keys keep whatever value the operator gave them (16 to 512 printable ASCII characters).
 */
public final class ApiKeyFormat {

    public static final String PREFIX = "fgw_";
    static final int MIN_IMPORTED_LENGTH = 16;
    static final int MAX_LENGTH = 512;
    private static final int BODY_LENGTH = 43;
    private static final int CHECKSUM_LENGTH = 6;
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final BigInteger BASE = BigInteger.valueOf(ALPHABET.length());
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeyFormat() {
    }

    public static String generate() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String body = base62(new BigInteger(1, secret), BODY_LENGTH);
        return PREFIX + body + checksum(body);
    }

    /** True for a well-formed generated key, or a value that could be an imported key. */
    public static boolean isWellFormed(String key) {
        if (key == null || key.length() < MIN_IMPORTED_LENGTH || key.length() > MAX_LENGTH || !printableAscii(key)) {
            return false;
        }
        if (!key.startsWith(PREFIX)) {
            return true;
        }
        if (key.length() != PREFIX.length() + BODY_LENGTH + CHECKSUM_LENGTH) {
            return false;
        }
        String body = key.substring(PREFIX.length(), PREFIX.length() + BODY_LENGTH);
        for (int i = 0; i < body.length(); i++) {
            if (ALPHABET.indexOf(body.charAt(i)) < 0) {
                return false;
            }
        }
        return checksum(body).equals(key.substring(PREFIX.length() + BODY_LENGTH));
    }

    /** Lower-case hex SHA-256 of the key. Keys carry 256 random bits, so a slow hash would add nothing. */
    public static String hash(String key) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static boolean printableAscii(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static String checksum(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        // In a long: the check runs for every presented key, and BigInteger division allocates per digit.
        char[] out = new char[CHECKSUM_LENGTH];
        long rest = crc.getValue();
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (rest % ALPHABET.length()));
            rest /= ALPHABET.length();
        }
        return new String(out);
    }

    private static String base62(BigInteger value, int width) {
        char[] out = new char[width];
        BigInteger rest = value;
        for (int i = width - 1; i >= 0; i--) {
            BigInteger[] qr = rest.divideAndRemainder(BASE);
            out[i] = ALPHABET.charAt(qr[1].intValue());
            rest = qr[0];
        }
        return new String(out);
    }
}
