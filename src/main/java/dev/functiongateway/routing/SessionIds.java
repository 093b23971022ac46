package dev.functiongateway.routing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Session ids ({@code nvcf-reqid}) that carry their own binding, so that any replica can resume a session
 * without asking the database: the function, the worker's version and instance, the key that opened it, and
 * when it was issued, signed with HMAC-SHA256 under a secret every replica shares ({@link SessionSecret}).
 *
 * <p>Layout before base64url (no padding; 108 characters, all valid in a header and in a WebSocket subprotocol
 * token): format 1 (1 byte), function id (16), version id (16), instance digest (8: SHA-256 of the instance's id
 * and address), key digest (8: SHA-256 of the key's id, so the id does not name the key), issue time (8, epoch
 * seconds), random nonce (8), then the first 16 bytes of the HMAC over all of these. Thread-safe.
 */
public final class SessionIds {

    private static final byte FORMAT = 1;
    private static final int BODY = 1 + 16 + 16 + 8 + 8 + 8 + 8;
    private static final int MAC = 16;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final int LENGTH = ENCODER.encodeToString(new byte[BODY + MAC]).length();

    /** What an id says, once its signature checked out. */
    public record Claims(UUID functionId, UUID versionId, long instanceDigest, long keyDigest, Instant issuedAt) {
    }

    private final SecretKeySpec secret;
    private final SecureRandom random = new SecureRandom();
    private final ThreadLocal<Mac> macs;

    public SessionIds(byte[] secret) {
        this.secret = new SecretKeySpec(secret, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    public String mint(UUID functionId, Worker worker, UUID keyId, Instant now) {
        ByteBuffer id = ByteBuffer.allocate(BODY + MAC);
        id.put(FORMAT);
        putUuid(id, functionId);
        putUuid(id, worker.versionId());
        id.putLong(instanceDigest(worker));
        id.putLong(digest(keyId.toString()));
        id.putLong(now.getEpochSecond());
        id.putLong(random.nextLong());
        Mac mac = macs.get();
        mac.update(id.array(), 0, BODY);
        id.put(mac.doFinal(), 0, MAC);
        return ENCODER.encodeToString(id.array());
    }

    /** The claims of a well-formed id with a valid signature; null for anything else (malformed or tampered). */
    public Claims verify(String requestId) {
        if (requestId == null || requestId.length() != LENGTH) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = DECODER.decode(requestId);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (bytes.length != BODY + MAC || bytes[0] != FORMAT) {
            return null;
        }
        Mac mac = macs.get();
        mac.update(bytes, 0, BODY);
        byte[] expected = mac.doFinal();
        byte[] given = new byte[MAC];
        System.arraycopy(bytes, BODY, given, 0, MAC);
        byte[] wanted = new byte[MAC];
        System.arraycopy(expected, 0, wanted, 0, MAC);
        if (!MessageDigest.isEqual(given, wanted)) {
            return null;
        }
        ByteBuffer id = ByteBuffer.wrap(bytes, 1, BODY - 1);
        return new Claims(getUuid(id), getUuid(id), id.getLong(), id.getLong(), Instant.ofEpochSecond(id.getLong()));
    }

    static long instanceDigest(Worker worker) {
        return digest(worker.instance().id() + "@" + worker.instance().address());
    }

    static long digest(String value) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)))
                    .getLong();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    private static void putUuid(ByteBuffer buffer, UUID uuid) {
        buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    }

    private static UUID getUuid(ByteBuffer buffer) {
        return new UUID(buffer.getLong(), buffer.getLong());
    }
}
