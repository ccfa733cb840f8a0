package org.fuzhi.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.security.authentication.DisabledException;

class DemoAccountRefusalTest {

    private static AccountStore storeWith(boolean demo) {
        return new AccountStore(null, null, null, null, null) {
            @Override
            Optional<Account> find(String username) {
                return Optional.of(new Account(1, username, "hash", "n", Role.CENTER, Scope.region("421182000000"),
                        demo, true, false, 0, Instant.now()));
            }
        };
    }

    @Test
    void demoAccountsAreRefusedUnderTheProdProfile() {
        MockEnvironment prod = new MockEnvironment();
        prod.setActiveProfiles("prod");
        assertThatThrownBy(() -> new AccountDetailsService(storeWith(true), prod).loadUserByUsername("zizhu"))
                .isInstanceOf(DisabledException.class);
        assertThat(new AccountDetailsService(storeWith(false), prod).loadUserByUsername("real").getUsername())
                .isEqualTo("real");
    }

    @Test
    void demoAccountsWorkOutsideProd() {
        assertThat(new AccountDetailsService(storeWith(true), new MockEnvironment()).loadUserByUsername("zizhu")
                .getUsername()).isEqualTo("zizhu");
    }
}
