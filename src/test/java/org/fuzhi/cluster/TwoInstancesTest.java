package org.fuzhi.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fuzhi.FuzhiApplication;
import org.fuzhi.support.Postgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two instances of the application on one PostgreSQL database, as behind a load balancer: a user signed in on
 * one continues on the other; a model published on one is the one the other scores a round with; the same long
 * work started on both runs once and the second start is refused.
 */
@Postgres
class TwoInstancesTest {

    static final String DATABASE = "fuzhi_two_instances";
    static final String URL = "jdbc:postgresql://" + Postgres.HOST + ":" + Postgres.PORT + "/" + DATABASE;
    static final JsonMapper JSON = JsonMapper.builder().build();
    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;

    @BeforeAll
    static void startTwo() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + Postgres.HOST + ":" + Postgres.PORT
                + "/postgres", Postgres.USER, Postgres.PASSWORD)) {
            c.createStatement().execute("DROP DATABASE IF EXISTS " + DATABASE);
            c.createStatement().execute("CREATE DATABASE " + DATABASE);
        }
        Path dir = Files.createTempDirectory("fuzhi-two-instances");
        a = start("a", dir); // migrates and loads the demo county
        b = start("b", dir); // finds both done
    }

    static ConfigurableApplicationContext start(String name, Path dir) {
        // As command-line arguments: they outrank application.yml, as a deployment's settings do.
        return new SpringApplicationBuilder(FuzhiApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + URL,
                "--spring.datasource.username=" + Postgres.USER,
                "--spring.datasource.password=" + Postgres.PASSWORD,
                // One shared files directory and one key file, as every instance of a deployment has.
                "--fuzhi.storage.dir=" + dir.resolve("files"),
                "--fuzhi.crypto.keyset-file=" + dir.resolve("keys.json"),
                "--fuzhi.audit.checkpoint-file=" + dir.resolve("checkpoint-" + name + ".log"),
                "--spring.jmx.enabled=false",
                "--fuzhi.jobs.answer-within=300s");
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    static String base(ConfigurableApplicationContext ctx) {
        return "http://127.0.0.1:" + ((WebServerApplicationContext) ctx).getWebServer().getPort();
    }

    /** A browser: one cookie jar for both instances (the cookie is the host's, whichever port answers). */
    final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).build();
    final HttpClient api = HttpClient.newHttpClient();

    HttpResponse<String> send(HttpClient client, HttpRequest r) throws Exception {
        return client.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    String token(ConfigurableApplicationContext ctx, String user) throws Exception {
        var r = send(api, HttpRequest.newBuilder(URI.create(base(ctx) + "/api/v1/auth/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"Fuzhi@2026\"}"))
                .build());
        assertThat(r.statusCode()).isEqualTo(200);
        return "Bearer " + JSON.readTree(r.body()).get("token").asString();
    }

    HttpResponse<String> call(ConfigurableApplicationContext ctx, String method, String path, String auth, String body,
                              String... headers) throws Exception {
        var rb = HttpRequest.newBuilder(URI.create(base(ctx) + path)).header("Authorization", auth)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            rb.header(headers[i], headers[i + 1]);
        }
        return send(api, rb.build());
    }

    @Test
    void signedInOnOneInstanceTheUserGoesOnOnTheOther() throws Exception {
        var login = send(browser, HttpRequest.newBuilder(URI.create(base(a) + "/login")).build());
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(login.body());
        assertThat(csrf.find()).isTrue();
        var signedIn = send(browser, HttpRequest.newBuilder(URI.create(base(a) + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=zizhu&password=Fuzhi%402026&_csrf="
                        + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8))).build());
        assertThat(signedIn.statusCode()).isEqualTo(302);
        assertThat(signedIn.headers().firstValue("Location").orElse("")).doesNotContain("error");

        var onB = send(browser, HttpRequest.newBuilder(URI.create(base(b) + "/students")).build());
        assertThat(onB.statusCode()).as("the other instance knows the session").isEqualTo(200);
        assertThat(onB.body()).contains("学生名册");

        // Signing out on B ends the session on A too.
        Matcher csrfB = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(onB.body());
        assertThat(csrfB.find()).isTrue();
        send(browser, HttpRequest.newBuilder(URI.create(base(b) + "/logout"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("_csrf="
                        + URLEncoder.encode(csrfB.group(1), StandardCharsets.UTF_8))).build());
        var afterLogout = send(browser, HttpRequest.newBuilder(URI.create(base(a) + "/students")).build());
        assertThat(afterLogout.statusCode()).isEqualTo(302);
        assertThat(afterLogout.headers().firstValue("Location").orElse("")).endsWith("/login");
    }

    @Test
    void aModelPublishedOnOneInstanceIsTheOneTheOtherScoresWith() throws Exception {
        String onA = token(a, "zizhu");
        String onB = token(b, "zizhu");
        // B has read (and cached) the published model before A publishes a new one.
        JsonNode before = JSON.readTree(call(b, "GET", "/api/v1/identification/models", onB, null).body());
        JsonNode published = null;
        for (JsonNode m : before) {
            if ("PUBLISHED".equals(m.get("status").asString())) {
                published = m;
            }
        }
        assertThat(published).isNotNull();
        var draft = JSON.readTree(call(a, "POST", "/api/v1/identification/models/" + published.get("id").asLong()
                + "/drafts", onA, null).body());
        var publish = call(a, "POST", "/api/v1/identification/models/" + draft.get("id").asLong()
                + "/publish?lockVersion=" + draft.get("lockVersion").asInt(), onA, null);
        assertThat(publish.statusCode()).as(publish.body()).isEqualTo(200);
        String newVersion = JSON.readTree(publish.body()).get("version").asString();
        assertThat(newVersion).isNotEqualTo(published.get("version").asString());

        var round = call(b, "POST", "/api/v1/identification/rounds", onB,
                "{\"name\":\"双实例轮次\",\"schoolYear\":2032,\"term\":\"AUTUMN\",\"scopeCode\":\"421182101000\"}");
        assertThat(round.statusCode()).as(round.body()).isEqualTo(200);
        assertThat(JSON.readTree(round.body()).get("modelVersion").asString()).isEqualTo(newVersion);
    }

    @Test
    void theSameWorkStartedOnBothInstancesRunsOnce() throws Exception {
        String onA = token(a, "hm-zizhu");
        String onB = token(b, "hm-zizhu");
        var first = call(a, "POST", "/api/v1/identification/linkage/run", onA, null, "Prefer", "respond-async");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        String job = first.headers().firstValue("Location").orElseThrow();
        var second = call(b, "POST", "/api/v1/identification/linkage/run", onB, null, "Prefer", "respond-async");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
        assertThat(JSON.readTree(second.body()).get("message").asString()).contains("正在进行中").contains("hm-zizhu");
        assertThat(second.headers().firstValue("Location")).contains(job);

        // B reads A's job like any other: the database is the truth of every job.
        JsonNode state = null;
        for (int i = 0; i < 600; i++) {
            state = JSON.readTree(call(b, "GET", job, onB, null).body());
            if (!state.get("state").asString().matches("QUEUED|RUNNING")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(state.get("state").asString()).isEqualTo("SUCCEEDED");
        // The weights that run estimated are the ones B shows: they live in the database, not in A's memory.
        JsonNode onAWeights = JSON.readTree(call(a, "GET", "/api/v1/identification/linkage/weights", onA, null).body());
        JsonNode onBWeights = JSON.readTree(call(b, "GET", "/api/v1/identification/linkage/weights", onB, null).body());
        assertThat(onBWeights).isEqualTo(onAWeights);
        var again = call(b, "POST", "/api/v1/identification/linkage/run", onB, null);
        assertThat(again.statusCode()).as("once the first has ended").isEqualTo(200);
    }
}
