package org.fuzhi.common;

/** 性别 — M male, F female, as coded in the ID number's sequence digit. */
public enum Gender { M, F }
