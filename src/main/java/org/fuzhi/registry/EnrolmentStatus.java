package org.fuzhi.registry;

/** 学籍状态 */
public enum EnrolmentStatus { IN_SCHOOL, SUSPENDED, TRANSFERRED_OUT, DROPPED_OUT, GRADUATED }
