#include "model/dwc/app_regs.h"

namespace epvp::dwc::app {

std::vector<reg_def> table() {
    return {
        {ctrl,
         "APP_CTRL",
         ctrl_req_retry_en,
         ctrl_ltssm_enable | ctrl_req_retry_en | ctrl_sys_int | ctrl_flr_done,
         0,
         0,
         false,
         {{"LTSSM_EN", 0, 1}, {"REQ_RETRY_EN", 1, 1}, {"SYS_INT", 2, 1}, {"FLR_DONE", 3, 1}}},
        {status,
         "APP_STATUS",
         0,
         0,
         0,
         0,
         false,
         {{"PERST_DEASSERTED", 0, 1}, {"LINK_UP", 1, 1}, {"FLR_ACTIVE", 2, 1}, {"LTSSM", 8, 6}}},
        {irq_status,
         "APP_IRQ_STATUS",
         0,
         0,
         0,
         irq_all,
         false,
         {{"LINK_UP", 0, 1}, {"LINK_DOWN", 1, 1}, {"PERST_DEASSERT", 2, 1}, {"FLR", 3, 1}}},
        {irq_enable,
         "APP_IRQ_ENABLE",
         0,
         irq_all,
         0,
         0,
         false,
         {{"LINK_UP", 0, 1}, {"LINK_DOWN", 1, 1}, {"PERST_DEASSERT", 2, 1}, {"FLR", 3, 1}}},
    };
}

} // namespace epvp::dwc::app
