package org.fuzhi.common;

/** 学段 — education stage, from kindergarten to postgraduate. */
public enum Stage {
    KINDERGARTEN(StatGroup.KINDERGARTEN),
    PRIMARY(StatGroup.PRIMARY),
    JUNIOR(StatGroup.JUNIOR),
    SENIOR(StatGroup.SENIOR),
    VOCATIONAL(StatGroup.VOCATIONAL),
    HIGHER_VOCATIONAL(StatGroup.HIGHER),
    UNDERGRADUATE(StatGroup.HIGHER),
    POSTGRADUATE(StatGroup.HIGHER);

    /** The six groups the county reports upward (幼儿园, 小学, 初中, 高中, 中职, 大学). */
    public enum StatGroup { KINDERGARTEN, PRIMARY, JUNIOR, SENIOR, VOCATIONAL, HIGHER }

    private final StatGroup statGroup;

    Stage(StatGroup statGroup) {
        this.statGroup = statGroup;
    }

    public StatGroup statGroup() {
        return statGroup;
    }
}
