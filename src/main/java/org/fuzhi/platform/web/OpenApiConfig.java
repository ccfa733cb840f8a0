package org.fuzhi.platform.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Documents the bearer-token scheme so Swagger UI can call the API after {@code POST /api/v1/auth/token}. */
@Configuration
class OpenApiConfig {

    @Bean
    OpenAPI fuzhiOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Fuzhi API").version("v1")
                        .description("Education precision poverty alleviation and student aid. Obtain a token with "
                                + "POST /api/v1/auth/token, then send Authorization: Bearer <token>. Every list is "
                                + "limited to the caller's data scope; ID numbers are masked."))
                .components(new Components().addSecuritySchemes("bearer",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }
}
