/** Value types shared by every module (ID numbers, codes, stages, masking). */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package org.fuzhi.common;
