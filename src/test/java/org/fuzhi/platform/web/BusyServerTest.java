package org.fuzhi.platform.web;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.StaticMessageSource;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A pool that ran dry answers 503 with a retry hint and a message in words, never a 500. */
class BusyServerTest {

    @RestController
    static class Busy {
        @GetMapping("/api/v1/busy")
        String busy() {
            throw new CannotGetJdbcConnectionException("Connection is not available");
        }

        @GetMapping("/api/v1/busy-tx")
        String busyTx() {
            throw new CannotCreateTransactionException("no connection");
        }
    }

    @Test
    void aRequestThatGetsNoConnectionIsAnswered503WithRetryAfter() throws Exception {
        StaticMessageSource messages = new StaticMessageSource();
        messages.addMessage("error.busy", Locale.SIMPLIFIED_CHINESE, "服务器正忙，请稍后几秒再试。");
        MockMvc mvc = MockMvcBuilders.standaloneSetup(new Busy()).setControllerAdvice(new ErrorHandling(messages))
                .build();
        for (String path : new String[]{"/api/v1/busy", "/api/v1/busy-tx"}) {
            mvc.perform(get(path).locale(Locale.SIMPLIFIED_CHINESE)).andExpect(status().isServiceUnavailable())
                    .andExpect(header().string("Retry-After", "2"))
                    .andExpect(jsonPath("$.message").value("服务器正忙，请稍后几秒再试。"));
        }
    }
}
