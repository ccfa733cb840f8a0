package org.fuzhi.registry;

/** 贫困类别 — the household's category on the poverty roster or a civil-affairs list. */
public enum PovertyCategory {
    /** 脱贫户 */
    LIFTED(true),
    /** 脱贫不稳定户 (monitored) */
    UNSTABLE(true),
    /** 边缘易致贫户 (monitored) */
    MARGINAL(true),
    /** 突发严重困难户 (monitored) */
    SUDDEN_HARDSHIP(true),
    /** 农村低保 */
    RURAL_DIBAO(false),
    /** 特困供养 */
    EXTREME_POVERTY(false),
    /** 孤儿 / 事实无人抚养 */
    ORPHAN(false),
    /** 残疾人家庭 */
    DISABILITY(false);

    private final boolean roster;

    PovertyCategory(boolean roster) {
        this.roster = roster;
    }

    /** Whether the category comes from the poverty-alleviation roster (建档立卡 / 防止返贫监测). */
    public boolean onRoster() {
        return roster;
    }
}
