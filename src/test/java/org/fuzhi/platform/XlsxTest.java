package org.fuzhi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Test;

/** An export longer than a sheet goes on in new sheets with the header repeated; nothing is lost. */
class XlsxTest {

    @Test
    void rowsBeyondASheetRollOverToTheNextSheet() throws Exception {
        var out = new ByteArrayOutputStream();
        try (Xlsx x = new Xlsx(out, "学生", List.of("姓名", "学校"), 3)) {
            for (int i = 1; i <= 7; i++) {
                x.row(List.of("学生" + i, "=HYPERLINK(\"x\")"));
            }
        }
        try (var wb = new XSSFWorkbook(new ByteArrayInputStream(out.toByteArray()))) {
            assertThat(wb.getNumberOfSheets()).isEqualTo(3);
            assertThat(wb.getSheetName(0)).isEqualTo("学生");
            assertThat(wb.getSheetName(1)).isEqualTo("学生 (2)");
            assertThat(wb.getSheetAt(1).getRow(0).getCell(0).getStringCellValue()).isEqualTo("姓名");
            assertThat(wb.getSheetAt(1).getRow(1).getCell(0).getStringCellValue()).isEqualTo("学生4");
            assertThat(wb.getSheetAt(2).getLastRowNum()).isEqualTo(1);
            assertThat(wb.getSheetAt(2).getRow(1).getCell(0).getStringCellValue()).isEqualTo("学生7");
            assertThat(wb.getSheetAt(0).getRow(1).getCell(1).getStringCellValue()).startsWith("'=");
        }
    }

    @Test
    void anEmptyExportKeepsItsHeader() throws Exception {
        var out = new ByteArrayOutputStream();
        try (Xlsx x = new Xlsx(out, "学生", List.of("姓名", "学校"))) {
            assertThat(x).isNotNull();
        }
        try (var wb = new XSSFWorkbook(new ByteArrayInputStream(out.toByteArray()))) {
            assertThat(wb.getNumberOfSheets()).isEqualTo(1);
            assertThat(wb.getSheetAt(0).getRow(0).getCell(1).getStringCellValue()).isEqualTo("学校");
        }
    }
}
