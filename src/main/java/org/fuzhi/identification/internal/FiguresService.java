package org.fuzhi.identification.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.fuzhi.identification.Cases;
import org.fuzhi.identification.Figures;
import org.fuzhi.identification.Rounds;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Scope;
import org.fuzhi.region.Directory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The identification figures of a region's dashboard, read from the rounds' and cases' own tables. */
@Service
class FiguresService implements Figures {

    private final Rounds rounds;
    private final JdbcClient jdbc;
    private final Directory directory;

    FiguresService(Rounds rounds, JdbcClient jdbc, Directory directory) {
        this.rounds = rounds;
        this.jdbc = jdbc;
        this.directory = directory;
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<RoundFigures> latest(CurrentUser user) {
        Scope area = user.childDataScope();
        if (area.type() != Scope.Type.REGION) {
            return Optional.empty();
        }
        List<Rounds.RoundView> all = rounds.list(user);
        // The round over the user's whole area comes first (a village's supplementary round is a detail of it);
        // an open one before a final one; the newest of each.
        String own = user.scope().code();
        Optional<Rounds.RoundView> chosen = all.stream().min(Comparator
                .comparing((Rounds.RoundView r) -> !r.scopeCode().equals(own))
                .thenComparing(r -> r.stage() == Rounds.Stage.FINAL)
                .thenComparing(r -> -r.id()));
        if (chosen.isEmpty()) {
            return Optional.empty();
        }
        Rounds.RoundView round = chosen.get();
        Rounds.Summary summary = rounds.summary(user, Rounds.RoundId.of(round.id()));
        String low = area.lowestRegion();
        String high = area.highestRegion();
        Map<Cases.Status, Long> cases = new EnumMap<>(Cases.Status.class);
        for (Cases.Status s : Cases.Status.values()) {
            cases.put(s, 0L);
        }
        jdbc.sql("""
                SELECT status, COUNT(*) FROM dropout_case WHERE village_code BETWEEN :low AND :high GROUP BY status""")
                .param("low", low).param("high", high)
                .query(rs -> {
                    cases.put(Cases.Status.valueOf(rs.getString(1)), rs.getLong(2));
                });
        // Per township of the children's home villages: what the round found there and the cases still open.
        Map<String, long[]> byTownship = new TreeMap<>();
        jdbc.sql("""
                SELECT SUBSTRING(village_code, 1, 9) AS t,
                       SUM(CASE WHEN source = 'ROSTER' THEN 1 ELSE 0 END), SUM(CASE WHEN source = 'HARDSHIP' THEN 1 ELSE 0 END)
                FROM ident_entry WHERE round_id = :r AND village_code BETWEEN :low AND :high
                GROUP BY SUBSTRING(village_code, 1, 9)""").param("r", round.id()).param("low", low).param("high", high)
                .query(rs -> {
                    long[] row = byTownship.computeIfAbsent(rs.getString(1), k -> new long[3]);
                    row[0] = rs.getLong(2);
                    row[1] = rs.getLong(3);
                });
        jdbc.sql("""
                SELECT SUBSTRING(village_code, 1, 9), COUNT(*) FROM dropout_case
                WHERE status <> 'CLOSED' AND village_code BETWEEN :low AND :high GROUP BY SUBSTRING(village_code, 1, 9)""")
                .param("low", low).param("high", high)
                .query(rs -> {
                    byTownship.computeIfAbsent(rs.getString(1), k -> new long[3])[2] = rs.getLong(2);
                });
        // Every township's name in one look-up.
        Map<String, String> names = directory.names(byTownship.keySet().stream().map(p -> p + "000").toList());
        List<TownshipRow> townships = new ArrayList<>();
        byTownship.forEach((prefix, row) -> {
            String code = prefix + "000";
            townships.add(new TownshipRow(code, names.getOrDefault(code, code), row[0], row[1], row[2]));
        });
        return Optional.of(new RoundFigures(round.id(), round.name(), round.stage(), rounds.progress(user, Rounds.RoundId.of(round.id())),
                summary.roster(), summary.hardship(), summary.levels(), cases, townships));
    }
}
