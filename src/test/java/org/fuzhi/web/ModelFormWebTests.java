package org.fuzhi.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import jakarta.servlet.http.Cookie;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;

/**
 * The assessment model in plain words (12.3): each rule read back in a sentence; a rule filled in as a form (an
 * attribute by name, a comparison, a number or ticked categories) is stored as the expression it stands for; a
 * form that is incomplete is refused naming the indicator, and nothing is saved. Runs on H2 and PostgreSQL.
 */
interface ModelFormWebTests extends IdentificationWebTests {

    /** The model's form as the page posts it, every row as stored, each rule form left on "by expression". */
    private MockHttpServletRequestBuilder form(JsonNode draft, Cookie session) {
        JsonNode def = draft.get("definition");
        MockHttpServletRequestBuilder b = post("/identification/models/" + draft.get("id").asLong()).cookie(session)
                .with(csrf()).param("lockVersion", draft.get("lockVersion").asString())
                .param("name", def.get("name").asString()).param("k", def.get("k").asString());
        for (JsonNode i : def.get("indicators")) {
            b.param("code", i.get("code").asString()).param("dimension", i.get("dimension").asString())
                    .param("weight", i.get("weight").asString()).param("expression", i.get("expression").asString())
                    .param("exprBefore", i.get("expression").asString());
        }
        for (JsonNode band : def.get("bands")) {
            b.param("bandLevel", band.get("level").asString()).param("bandMin", band.get("min").asString());
        }
        for (JsonNode c : def.get("costs")) {
            b.param("costStage", c.get("stage").asString()).param("costLevel", c.get("level").asString())
                    .param("costAmount", c.get("amount").asString());
        }
        return b;
    }

    @Test
    default void aRuleFilledInAsAFormIsStoredAsItsExpressionAndReadBackInWords() throws Exception {
        String auth = bearer("zizhu");
        JsonNode published = null;
        for (JsonNode m : json(mvc().perform(get("/api/v1/identification/models").header("Authorization", auth)))) {
            if ("PUBLISHED".equals(m.get("status").asString())) {
                published = m;
            }
        }
        JsonNode draft = json(mvc().perform(post("/api/v1/identification/models/" + published.get("id").asLong()
                + "/drafts").header("Authorization", auth)).andExpect(status().isOk()));
        long id = draft.get("id").asLong();
        int rows = draft.get("definition").get("indicators").size();
        Cookie session = login("zizhu");

        // The page reads every shipped rule back in words and offers its form filled in.
        String page = mvc().perform(get("/identification/models/" + id).cookie(session)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(page).contains("家庭人均年收入已填写，且家庭人均年收入低于 6000 元").contains("住房不安全")
                .contains("家庭人均年收入（household.incomePerHead）");

        // Income below 5000 by the form; ticked categories for the second row; the rest untouched.
        MockHttpServletRequestBuilder b = form(draft, session);
        b.param("ruleAttr", "household.incomePerHead").param("ruleOp", "lt").param("ruleValue", "5000");
        b.param("ruleAttr", "household.category").param("ruleOp", "in").param("ruleValue", "");
        b.param("ruleCats", "1:MARGINAL", "1:RURAL_DIBAO", "0:ORPHAN");
        for (int i = 2; i < rows; i++) {
            b.param("ruleAttr", "").param("ruleOp", "").param("ruleValue", "");
        }
        mvc().perform(b).andExpect(status().is3xxRedirection());
        JsonNode saved = json(mvc().perform(get("/api/v1/identification/models/" + id).header("Authorization", auth)));
        JsonNode indicators = saved.get("definition").get("indicators");
        assertThat(indicators.get(0).get("expression").asString())
                .isEqualTo("household.incomePerHead != null and household.incomePerHead < 5000");
        assertThat(indicators.get(1).get("expression").asString())
                .isEqualTo("household.category in ('MARGINAL', 'RURAL_DIBAO')");
        assertThat(indicators.get(2).get("expression").asString())
                .isEqualTo(draft.get("definition").get("indicators").get(2).get("expression").asString());
        page = mvc().perform(get("/identification/models/" + id).cookie(session))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(page).contains("家庭人均年收入低于 5000 元").contains("家庭类别为边缘易致贫户或农村低保户");

        // A category rule with nothing ticked is refused, naming the indicator; nothing is saved.
        JsonNode again = json(mvc().perform(get("/api/v1/identification/models/" + id).header("Authorization", auth)));
        MockHttpServletRequestBuilder bad = form(again, session);
        bad.param("ruleAttr", "").param("ruleOp", "").param("ruleValue", "");
        bad.param("ruleAttr", "household.category").param("ruleOp", "in").param("ruleValue", "");
        bad.param("ruleAttr", "household.members").param("ruleOp", "gt").param("ruleValue", "六");
        String refused = mvc().perform(bad).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(refused).contains("第 2 个指标：请选择“属于勾选的类别”，并至少勾选一个类别。");
        JsonNode unchanged = json(mvc().perform(get("/api/v1/identification/models/" + id).header("Authorization", auth)));
        assertThat(unchanged.get("definition")).isEqualTo(again.get("definition"));
    }

    @Test
    default void eachRoundEntrySaysWhatSetItsLevel() throws Exception {
        long round = jdbc().sql(DEMO_ROUND).query(Long.class).single();
        Cookie session = login("zizhu");
        String roster = mvc().perform(get("/identification/rounds/" + round).param("source", "ROSTER").cookie(session))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        // Most roster children score below every band: policy, not the model, makes them 一般困难.
        assertThat(roster).contains("扶贫名单内学生，按政策至少为一般困难（模型得分未达到该档）");
        String hardship = mvc().perform(get("/identification/rounds/" + round).param("source", "HARDSHIP")
                .cookie(session)).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(hardship).containsPattern("得分 0\\.\\d\\d ≥ 该档最低分 0\\.(30|45|60)").doesNotContain("按政策至少为");
    }
}
