package org.fuzhi.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TabularTest {

    @TempDir
    Path dir;

    private List<List<String>> read(Path file, String name) throws Exception {
        List<List<String>> rows = new ArrayList<>();
        Tabular.read(file, Tabular.formatOf(name, file), (n, cells) -> rows.add(cells));
        return rows;
    }

    @Test
    void readsQuotedFieldsWithCommasQuotesAndLineBreaks() throws Exception {
        Path f = dir.resolve("a.csv");
        Files.writeString(f, "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n\r\nlast,,\n", StandardCharsets.UTF_8);
        var rows = read(f, "a.csv");
        assertThat(rows).containsExactly(List.of("a", "b", "c"), List.of("x,1", "say \"hi\"", "two\nlines"),
                List.of("last", "", ""));
    }

    @Test
    void readsGbkAsExcelOnChineseWindowsSavesIt() throws Exception {
        Path f = dir.resolve("gbk.csv");
        Files.write(f, "姓名,学段\n张三,小学\n".getBytes(Charset.forName("GBK")));
        assertThat(read(f, "gbk.csv")).containsExactly(List.of("姓名", "学段"), List.of("张三", "小学"));
    }

    @Test
    void skipsTheUtf8ByteOrderMark() throws Exception {
        Path f = dir.resolve("bom.csv");
        Files.write(f, ("\uFEFF姓名\n李四\n").getBytes(StandardCharsets.UTF_8));
        assertThat(read(f, "bom.csv")).containsExactly(List.of("姓名"), List.of("李四"));
    }

    @Test
    void refusesFilesThatAreNotSpreadsheets() throws Exception {
        Path f = dir.resolve("fake.xlsx");
        Files.writeString(f, "this is not a zip");
        assertThatThrownBy(() -> Tabular.formatOf("fake.xlsx", f)).isInstanceOf(Tabular.UnreadableException.class);
        Path pdf = dir.resolve("x.pdf");
        Files.writeString(pdf, "%PDF");
        assertThatThrownBy(() -> Tabular.formatOf("x.pdf", pdf)).isInstanceOf(Tabular.UnreadableException.class);
    }

    @Test
    void writesAndReadsBackXlsx() throws Exception {
        Path f = dir.resolve("t.xlsx");
        try (var out = Files.newOutputStream(f); Xlsx x = new Xlsx(out, "s", List.of("列一", "列二"))) {
            x.row(List.of("=1+1", "正常"));
        }
        var rows = read(f, "t.xlsx");
        assertThat(rows.get(0)).containsExactly("列一", "列二");
        // The formula is neutralised: a spreadsheet shows it as text.
        assertThat(rows.get(1)).containsExactly("'=1+1", "正常");
    }

    @Test
    void neutralisesFormulaLikeTextButNotNegativeNumbers() {
        assertThat(Xlsx.neutralise("=HYPERLINK(\"x\")")).isEqualTo("'=HYPERLINK(\"x\")");
        assertThat(Xlsx.neutralise("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(Xlsx.neutralise("+86 123")).isEqualTo("'+86 123");
        assertThat(Xlsx.neutralise("-12.50")).isEqualTo("-12.50");
        assertThat(Xlsx.neutralise("张三")).isEqualTo("张三");
    }
}
