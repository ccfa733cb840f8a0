package org.fuzhi.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import jakarta.servlet.http.Cookie;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.ResultActions;
import tools.jackson.databind.JsonNode;

/**
 * Accounts for real use: the ADMIN creates, disables, re-scopes and resets accounts; a new or reset account must
 * change its password before anything else; every such change ends the account's tokens; the password policy names
 * the rule it applies. Part of the web suite: runs on H2 and PostgreSQL.
 */
interface AccountWebTests extends IdentificationWebTests {

    private ResultActions tokenFor(String username, String password) throws Exception {
        return mvc().perform(post("/api/v1/auth/token").contentType(MediaType.APPLICATION_JSON)
                .content("{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}"));
    }

    private String tokenOf(String username, String password) throws Exception {
        return "Bearer " + json(tokenFor(username, password).andExpect(status().isOk())).get("token").asString();
    }

    private JsonNode open(String username, String role, String scope) throws Exception {
        return json(mvc().perform(post("/api/v1/accounts").header("Authorization", bearer("admin"))
                        .contentType(MediaType.APPLICATION_JSON).content("{\"username\":\"" + username
                                + "\",\"displayName\":\"测试账号\",\"role\":\"" + role + "\",\"scopeCode\":\"" + scope + "\"}"))
                .andExpect(status().isOk()));
    }

    private ResultActions changePassword(String auth, String current, String next) throws Exception {
        return mvc().perform(post("/api/v1/account/password").header("Authorization", auth)
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"currentPassword\":\"" + current + "\",\"newPassword\":\"" + next + "\"}"));
    }

    private long childrenLivingIn(String village) {
        return jdbc().sql("""
                SELECT COUNT(*) FROM enrolment e JOIN person p ON p.id = e.person_id
                JOIN household h ON h.id = p.household_id WHERE h.region_code = :v""").param("v", village)
                .query(Long.class).single();
    }

    /** The account list says where each account works by name, and sorts by its columns. */
    @Test
    default void theAccountListNamesWhereAccountsWorkAndSorts() throws Exception {
        Cookie admin = login("admin");
        String page = mvc().perform(get("/admin/accounts").param("q", "421182000000").param("sort", "role")
                .cookie(admin)).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        String table = page.substring(page.indexOf("id=\"account-table\""));
        table = table.substring(0, table.indexOf("</table>"));
        // The code only in the title (and the re-scope form's field), never as what the cell says.
        assertThat(table).doesNotContainPattern(">\\s*\\d{10,12}\\s*<").contains(">武穴市<");
        assertThat(page).contains("aria-sort=\"ascending\"").contains("sort=-role");
        // Roles in their order: the aid center, the leader, the evaluator.
        assertThat(table.indexOf(">zizhu<")).isPositive().isLessThan(table.indexOf(">lingdao<"));
        assertThat(table.indexOf(">lingdao<")).isLessThan(table.indexOf(">pinggu<"));
        String reversed = mvc().perform(get("/admin/accounts").param("q", "421182000000").param("sort", "-role")
                .cookie(admin)).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(reversed.indexOf(">pinggu<")).isPositive().isLessThan(reversed.indexOf(">zizhu<"));
        // A sort that is no column is the list's own order, never SQL.
        mvc().perform(get("/admin/accounts").param("sort", "role; DROP TABLE app_user").cookie(admin))
                .andExpect(status().isOk());
        // A new account's area is picked by name: both counties, a village with its township, schools by name.
        String form = page.substring(page.indexOf("id=\"new-scope\""));
        form = form.substring(0, form.indexOf("</select>"));
        String village = villageOf("hm-cunwei");
        String township = village.substring(0, 9) + "000";
        String villageName = jdbc().sql("SELECT name FROM region WHERE code = :c").param("c", village)
                .query(String.class).single();
        String townshipName = jdbc().sql("SELECT name FROM region WHERE code = :c").param("c", township)
                .query(String.class).single();
        assertThat(form).contains("label=\"武穴市\"").contains("label=\"黄梅县\"")
                .contains("value=\"" + village + "\">" + townshipName + " " + villageName + "<")
                .contains("label=\"武穴市 · 学校\"");
        String batch = page.substring(page.indexOf("id=\"villages-region\""));
        batch = batch.substring(0, batch.indexOf("</select>"));
        assertThat(batch).contains("value=\"" + township + "\">" + townshipName + "<")
                .doesNotContain("value=\"" + village + "\"");
    }

    @Test
    default void aNewAccountMustChangeItsPasswordThenSeesOnlyItsVillage() throws Exception {
        String village = villageOf("hm-cunwei");
        JsonNode issued = open("test-cun-1", "VILLAGE", village);
        String temporary = issued.get("temporaryPassword").asString();
        assertThat(temporary).hasSize(12);
        String first = tokenOf("test-cun-1", temporary);
        mvc().perform(get("/api/v1/students").header("Authorization", first)).andExpect(status().isForbidden())
                .andExpect(jsonPath("$.message").value("请先修改密码（临时密码或初始密码须在首次登录时修改）。"));
        refusedWith(changePassword(first, temporary, "short"), "密码至少需要 10 个字符。");
        refusedWith(changePassword(first, temporary, "my-test-cun-1-pass"), "密码不能包含用户名。");
        refusedWith(changePassword(first, temporary, "Password123"), "这个密码太常见（出现在泄露密码名单中），请换一个。");
        refusedWith(changePassword(first, "wrong-current", "村里的桂花今年开了两回"), "当前密码不正确。");
        changePassword(first, temporary, "村里的桂花今年开了两回").andExpect(status().isOk());
        // The change ends the token it was made with; the new password signs in and the village is all it sees.
        mvc().perform(get("/api/v1/students").header("Authorization", first)).andExpect(status().isUnauthorized());
        tokenFor("test-cun-1", temporary).andExpect(status().isUnauthorized());
        String mine = tokenOf("test-cun-1", "村里的桂花今年开了两回");
        JsonNode page = json(mvc().perform(get("/api/v1/students").param("size", "500").header("Authorization", mine))
                .andExpect(status().isOk()));
        assertThat(page.get("total").asLong()).isEqualTo(childrenLivingIn(village)).isPositive();
        page.get("items").forEach(s -> assertThat(s.get("householdRegionCode").asString()).isEqualTo(village));
        // The audit log keeps who created the account, under the account's county, and never the password.
        assertThat(jdbc().sql("SELECT COUNT(*) FROM audit_event WHERE action = 'ACCOUNT_CREATE' AND target_id = 'test-cun-1' "
                + "AND actor = 'admin' AND scope_region = :v").param("v", village).query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc().sql("SELECT COUNT(*) FROM audit_event WHERE details LIKE :p").param("p", "%" + temporary + "%")
                .query(Long.class).single()).isZero();
    }

    @Test
    default void disablingResettingAndRescopingEndTheAccountsTokens() throws Exception {
        String village = villageOf("hm-cunwei");
        String other = jdbc().sql("SELECT MIN(code) FROM region WHERE level = 'VILLAGE' AND code LIKE '421127%' AND code <> :v")
                .param("v", village).query(String.class).single();
        String temporary = open("test-cun-2", "VILLAGE", village).get("temporaryPassword").asString();
        changePassword(tokenOf("test-cun-2", temporary), temporary, "两只黄鹂鸣翠柳一行白鹭").andExpect(status().isOk());
        String token = tokenOf("test-cun-2", "两只黄鹂鸣翠柳一行白鹭");
        String admin = bearer("admin");

        mvc().perform(post("/api/v1/accounts/test-cun-2/disable").header("Authorization", admin)).andExpect(status().isOk());
        mvc().perform(get("/api/v1/students").header("Authorization", token)).andExpect(status().isUnauthorized());
        tokenFor("test-cun-2", "两只黄鹂鸣翠柳一行白鹭").andExpect(status().isUnauthorized());
        mvc().perform(post("/api/v1/accounts/test-cun-2/enable").header("Authorization", admin)).andExpect(status().isOk());

        token = tokenOf("test-cun-2", "两只黄鹂鸣翠柳一行白鹭");
        mvc().perform(put("/api/v1/accounts/test-cun-2/scope").header("Authorization", admin)
                        .contentType(MediaType.APPLICATION_JSON).content("{\"role\":\"VILLAGE\",\"scopeCode\":\"" + other + "\"}"))
                .andExpect(status().isOk());
        mvc().perform(get("/api/v1/students").header("Authorization", token)).andExpect(status().isUnauthorized());
        token = tokenOf("test-cun-2", "两只黄鹂鸣翠柳一行白鹭");
        assertThat(json(mvc().perform(get("/api/v1/students").header("Authorization", token))).get("total").asLong())
                .isEqualTo(childrenLivingIn(other));
        // A scope that does not fit the role is refused with the rule.
        mvc().perform(put("/api/v1/accounts/test-cun-2/scope").header("Authorization", admin)
                        .contentType(MediaType.APPLICATION_JSON).content("{\"role\":\"VILLAGE\",\"scopeCode\":\"421127000000\"}"))
                .andExpect(status().isConflict());

        String reset = json(mvc().perform(post("/api/v1/accounts/test-cun-2/reset-password").header("Authorization", admin))
                .andExpect(status().isOk())).get("temporaryPassword").asString();
        mvc().perform(get("/api/v1/students").header("Authorization", token)).andExpect(status().isUnauthorized());
        tokenFor("test-cun-2", "两只黄鹂鸣翠柳一行白鹭").andExpect(status().isUnauthorized());
        mvc().perform(get("/api/v1/students").header("Authorization", tokenOf("test-cun-2", reset)))
                .andExpect(status().isForbidden());

        // Only the ADMIN administers accounts; a center may not, even in its own county.
        mvc().perform(get("/api/v1/accounts").header("Authorization", bearer("hm-zizhu"))).andExpect(status().isForbidden());
        mvc().perform(post("/api/v1/accounts/test-cun-2/disable").header("Authorization", bearer("zizhu")))
                .andExpect(status().isForbidden());
    }

    @Test
    default void signingOutEndsTheTokenAndTheAdminCreatesMissingVillageAccounts() throws Exception {
        String token = bearer("hm-lingdao");
        mvc().perform(get("/api/v1/stats/overview").header("Authorization", token)).andExpect(status().isOk());
        mvc().perform(post("/api/v1/auth/logout").header("Authorization", token)).andExpect(status().isOk());
        mvc().perform(get("/api/v1/stats/overview").header("Authorization", token)).andExpect(status().isUnauthorized());

        String township = "421127112000";
        String missing = jdbc().sql("SELECT MAX(code) FROM region WHERE parent_code = :t").param("t", township)
                .query(String.class).single();
        jdbc().sql("DELETE FROM api_token WHERE user_id IN (SELECT id FROM app_user WHERE username = :u)")
                .param("u", "cun-" + missing).update();
        jdbc().sql("DELETE FROM app_user WHERE username = :u").param("u", "cun-" + missing).update();
        JsonNode created = json(mvc().perform(post("/api/v1/accounts/villages").header("Authorization", bearer("admin"))
                .contentType(MediaType.APPLICATION_JSON).content("{\"regionCode\":\"" + township + "\"}"))
                .andExpect(status().isOk()));
        assertThat(created.size()).isEqualTo(1);
        assertThat(created.get(0).get("username").asString()).isEqualTo("cun-" + missing);
        // Again: every village has its account now, nothing more is created.
        assertThat(json(mvc().perform(post("/api/v1/accounts/villages").header("Authorization", bearer("admin"))
                .contentType(MediaType.APPLICATION_JSON).content("{\"regionCode\":\"" + township + "\"}"))).size()).isZero();
    }

    @Test
    default void guessingAtAnAccountFromOneAddressDoesNotLockItsOwnerOut() throws Exception {
        String temporary = open("test-center-3", "CENTER", "421127000000").get("temporaryPassword").asString();
        for (int i = 0; i < 6; i++) {
            mvc().perform(post("/api/v1/auth/token").with(r -> {
                r.setRemoteAddr("192.0.2.66");
                return r;
            }).contentType(MediaType.APPLICATION_JSON).content("{\"username\":\"test-center-3\",\"password\":\"guess" + i + "\"}"));
        }
        mvc().perform(post("/api/v1/auth/token").with(r -> {
            r.setRemoteAddr("192.0.2.66");
            return r;
        }).contentType(MediaType.APPLICATION_JSON).content("{\"username\":\"test-center-3\",\"password\":\"" + temporary + "\"}"))
                .andExpect(status().isTooManyRequests());
        // The aid center signs in from its own office all the same.
        tokenFor("test-center-3", temporary).andExpect(status().isOk());
        // A forged X-Forwarded-For from a client that is no trusted proxy changes nothing: its own address counts.
        mvc().perform(post("/api/v1/auth/token").with(r -> {
            r.setRemoteAddr("192.0.2.77");
            return r;
        }).header("X-Forwarded-For", "198.51.100.9").contentType(MediaType.APPLICATION_JSON)
                .content("{\"username\":\"test-center-3\",\"password\":\"guess\"}")).andExpect(status().isUnauthorized());
        assertThat(jdbc().sql("SELECT COUNT(*) FROM login_failure WHERE throttle_key = 'a:192.0.2.77'")
                .query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc().sql("SELECT COUNT(*) FROM login_failure WHERE throttle_key = 'a:198.51.100.9'")
                .query(Long.class).single()).isZero();
    }
}
