package org.fuzhi.aid.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.fuzhi.aid.PayeeAccounts.AccountEdit;
import org.fuzhi.aid.PayeeAccounts.Relation;
import org.fuzhi.aid.PayeeAccounts.Type;
import org.fuzhi.common.BankCard;
import org.fuzhi.common.IdNumber;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.ImportContext;
import org.fuzhi.platform.ImportKind;
import org.fuzhi.platform.ImportRow;
import org.fuzhi.platform.Role;
import org.fuzhi.registry.Registry;
import org.fuzhi.registry.StudentView;
import org.springframework.stereotype.Component;

/**
 * 收款账户导入: a school's clerk (or the center) registers the payee accounts of many children at once — the way
 * schools collect them, on one sheet at term start — under the same rules as one account on its page: the child found
 * by ID number inside the importer's scope and named as registered, the holder the child or a member of the child's
 * household, a bank card's check digit, a card never another child's under another holder.
 */
@Component
class PayeeAccountImport implements ImportKind {

    private final PayeeAccountService accounts;
    private final Registry registry;
    private final FieldCrypto crypto;

    PayeeAccountImport(PayeeAccountService accounts, Registry registry, FieldCrypto crypto) {
        this.accounts = accounts;
        this.registry = registry;
        this.crypto = crypto;
    }

    @Override
    public String name() {
        return "payee-accounts";
    }

    @Override
    public boolean mayImport(Role role) {
        return role == Role.SCHOOL_OPERATOR || role == Role.CENTER;
    }

    @Override
    public List<Column> columns() {
        return List.of(Column.req("studentIdNumber"), Column.req("studentName"), Column.req("holderName"),
                Column.req("relation"), Column.opt("accountType"), Column.req("bank"), Column.req("accountNumber"));
    }

    @Override
    public List<String> exampleRow() {
        // The demo's first roster child of 城关中心小学 is not known here: an example that reads, and is refused
        // only because no such child is registered.
        return List.of("421182201503049982", "王示例", "王示例", "本人", "银行卡", "中国农业银行武穴支行",
                "6217002800000000013");
    }

    @Override
    public void importChunk(List<ImportRow> rows, ImportContext ctx) {
        Map<String, String> pending = ctx.state("cards", HashMap::new);
        Map<String, Integer> seen = ctx.state("students", HashMap::new);
        List<String> indexes = new ArrayList<>();
        Map<ImportRow, String> indexOf = new HashMap<>();
        for (ImportRow row : rows) {
            var parsed = IdNumber.parse(row.get("studentIdNumber"));
            if (!row.has("studentIdNumber")) {
                ctx.reject(row, "studentIdNumber", "import.rule.required");
            } else if (!parsed.valid()) {
                ctx.reject(row, "studentIdNumber", "id.problem." + parsed.problem().name());
            } else {
                String index = crypto.index(parsed.id().value());
                indexes.add(index);
                indexOf.put(row, index);
            }
        }
        // One look-up per chunk: the registry's persons by the blind index of their ID number.
        Map<String, Registry.PersonRef> persons = indexes.isEmpty() ? Map.of() : registry.personsByIdIndex(indexes);
        Map<Long, StudentView> students = registry.studentsIn(ctx.user().childDataScope(), persons.values().stream()
                .map(Registry.PersonRef::studentId).filter(Objects::nonNull).toList());
        for (ImportRow row : rows) {
            for (String col : List.of("studentName", "holderName", "relation", "bank", "accountNumber")) {
                if (!row.has(col)) {
                    ctx.reject(row, col, "import.rule.required");
                }
            }
            Relation relation = ctx.enumValue(Relation.class, row.get("relation")).orElse(null);
            if (row.has("relation") && relation == null) {
                ctx.reject(row, "relation", "import.rule.accountRelation");
            }
            Type type = row.has("accountType") ? ctx.enumValue(Type.class, row.get("accountType")).orElse(null)
                    : Type.BANK_CARD;
            if (type == null) {
                ctx.reject(row, "accountType", "import.rule.accountType");
            }
            if (row.get("bank").length() > 40) {
                ctx.reject(row, "bank", "import.rule.tooLong", 40);
            }
            String index = indexOf.get(row);
            StudentView student = null;
            if (index != null) {
                Registry.PersonRef p = persons.get(index);
                student = p == null || p.studentId() == null ? null : students.get(p.studentId());
                if (student == null) {
                    // Not enrolled, or not one of the importer's pupils: the same answer, so nothing leaks.
                    ctx.reject(row, "studentIdNumber", "import.rule.accountNoStudent");
                } else if (!student.name().equals(row.get("studentName").replace(" ", ""))) {
                    ctx.reject(row, "studentName", "import.rule.accountStudentName");
                } else {
                    // A second row for a child already given an account in this file (a rejected row does not count).
                    Integer earlier = seen.get(index);
                    if (earlier != null) {
                        ctx.reject(row, "studentIdNumber", "import.rule.duplicateInFileAt", earlier);
                    }
                }
            }
            if (ctx.isRejected(row)) {
                continue;
            }
            String number = BankCard.normalise(row.get("accountNumber"));
            AccountEdit edit = new AccountEdit(row.get("holderName").replace(" ", ""), relation, type,
                    row.get("bank"), row.get("accountNumber"));
            String problem = accounts.problem(student, edit, number, pending);
            if (problem != null) {
                ctx.reject(row, switch (problem) {
                    case "aid.rule.accountNotSelf", "aid.rule.accountNotGuardian", "aid.rule.accountNoHousehold",
                         "aid.rule.accountElsewhere" -> "holderName";
                    case "aid.rule.accountFields" -> "relation";
                    default -> "accountNumber";
                }, problem);
                continue;
            }
            pending.put(crypto.index(number), edit.holderName());
            seen.put(index, row.rowNo());
            accounts.write(ctx.user(), student.id(), edit, number);
        }
    }
}
