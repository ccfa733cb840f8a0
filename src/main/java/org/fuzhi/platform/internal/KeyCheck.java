package org.fuzhi.platform.internal;

import java.sql.Timestamp;
import java.time.Instant;
import org.fuzhi.platform.FieldCrypto;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Stops a start with keys that did not write this database's data (a lost or swapped key file, the wrong
 * {@code FUZHI_KEYSET}): every look-up by ID would find nothing and every new row would be sealed with keys the old
 * rows can't be read with. The first start seals one known value; later starts must open it and index it alike.
 */
@Component
class KeyCheck implements SmartInitializingSingleton {

    static final String PROBE = "fuzhi-key-check";
    private final JdbcClient jdbc;
    private final FieldCrypto crypto;
    private final boolean rotating;

    KeyCheck(JdbcClient jdbc, FieldCrypto crypto,
             @Value("${fuzhi.crypto.rotating:false}") boolean rotating) {
        this.jdbc = jdbc;
        this.crypto = crypto;
        this.rotating = rotating;
    }

    @Override
    public void afterSingletonsInstantiated() {
        // `keys rotate` starts with the keys of the file while the database may already hold the new ones (a
        // rotation stopped after its commit): it opens every value with the old and new keys of `.next` itself.
        if (rotating) {
            return;
        }
        var stored = jdbc.sql("SELECT sealed, index_value FROM key_check WHERE id = 1")
                .query((rs, n) -> new String[]{rs.getString(1), rs.getString(2).strip()}).optional();
        if (stored.isEmpty()) {
            jdbc.sql("INSERT INTO key_check (id, sealed, index_value, created_at) VALUES (1, :s, :i, :at)")
                    .param("s", crypto.seal(FieldCrypto.Kind.ID_NUMBER, PROBE)).param("i", crypto.index(PROBE))
                    .param("at", Timestamp.from(Instant.now())).update();
            return;
        }
        check(stored.get()[0], stored.get()[1]);
    }

    private void check(String sealed, String index) {
        boolean opens;
        try {
            opens = PROBE.equals(crypto.open(FieldCrypto.Kind.ID_NUMBER, sealed));
        } catch (RuntimeException e) {
            opens = false;
        }
        if (!opens || !index.equals(crypto.index(PROBE))) {
            throw new IllegalStateException("The encryption keys in use did not write this database: its ID numbers "
                    + "can't be read or found with them. Start with the key file this database was written with "
                    + "(fuzhi.crypto.keyset-file or FUZHI_KEYSET); after an interrupted `keys rotate`, run it again.");
        }
    }
}
