// Elsa Studio in Simplified Chinese, and the Studio actions Rectify refuses hidden.
//
// How the Studio gets its strings: MudBlazor's own (pagers, pickers, dialogs' buttons) come from the MudBlazor.Translations
// satellite assembly the package ships for zh-Hans, chosen by the culture kept in localStorage "BlazorCulture" (set by
// the host page). Elsa's own strings go through ILocalizer → ILocalizationProvider, and the package's custom-elements
// host registers only the default provider, which returns the English key: no resource for them is shipped and none can
// be added from outside the compiled host. So the chrome is translated here, in the page: every text node and
// title/placeholder/aria-label whose whole text is one of Elsa's keys below is replaced by its Chinese. Blazor keeps
// the nodes (only their text changes), and a re-render that writes the English again is translated again.
// Not translated: texts built from fragments the Studio concatenates with data (e.g. "Workflow instance with ID …"),
// and the expression editor (Monaco) menus.
(function () {
    "use strict";
    const zh = {
        "Properties": "属性", "Variables": "变量", "Input/Output": "输入/输出", "Log": "日志", "Version history": "版本历史", "Info": "信息", "Settings": "设置",
        "Input": "输入", "Output": "输出", "Inputs": "输入", "Outputs": "输出", "Common": "通用", "Outcomes": "出口",
        "Activities": "活动", "Activity": "活动", "Search activities": "搜索活动", "Search": "搜索",
        "Search activities by name, category, or description": "按名称、类别或说明搜索活动",
        "Loading activities": "正在加载活动", "No matching activities": "没有匹配的活动", "Try another search or category.": "请换一个关键词或类别。",
        "Name": "名称", "Description": "说明", "Display text": "显示文字", "Show description": "在设计器中显示说明",
        "The name of the activity. Named activities can be referenced by other activities.": "活动名称。有名称的活动可被其他活动引用。",
        "The text to display in the designer.": "设计器中显示的文字。",
        "A description of this activity to be displayed in the designer.": "在设计器中显示的活动说明。",
        "Whether to show the description in the designer.": "是否在设计器中显示说明。",
        "Type": "类型", "Version": "版本", "Version ": "版本 ", "Definition ID": "定义 ID", "Version ID": "版本 ID", "Node ID": "节点 ID",
        "Published": "已发布", "Draft": "草稿", "Latest version": "最新版本", "Published version": "已发布版本", "Created": "创建时间", "Updated": "更新时间",
        "Publish": "发布", "Publish workflow": "发布流程", "Unpublish": "取消发布", "Unpublish the current workflow": "取消发布当前流程",
        "Save": "保存", "Save As": "另存为", "Save As successfully saved.": "已另存为新流程。", "Duplicate": "复制",
        "Export": "导出", "Import": "导入",
        "Export the current workflow as a JSON file": "把当前流程导出为 JSON 文件",
        "Export this version as a JSON file.": "把此版本导出为 JSON 文件。",
        "Import a JSON file containing workflow data to override the current workflow's contents.": "导入 JSON 流程文件，替换当前流程的内容。",
        "Include referencing workflows": "包含引用它的流程",
        "Workflows that reference the selected workflow(s) will be included in the export.": "引用所选流程的流程也会一起导出。",
        "Workflow published": "流程已发布", "Workflow saved": "流程已保存", "Workflow unpublished": "流程已取消发布",
        "Workflow retracted": "流程已撤回", "Workflow was already published": "流程已经发布过",
        "Successfully imported 1 workflow definition.": "已导入 1 个流程定义。",
        "No workflows were imported.": "没有导入任何流程。", "No workflows found to import.": "没有找到可导入的流程。",
        "Invalid schema": "文件格式不对", "Failed to import workflow definition: ": "导入流程定义失败：",
        "The workflow cannot be started": "流程不能在此启动",
        "Rollback to this version": "回退到此版本", "View": "查看", "Delete": "删除", "Bulk actions": "批量操作",
        "Use this version": "使用此版本", "Current": "当前",
        "Are you sure you want to delete this version?": "确定删除此版本吗？",
        "Cancel": "取消", "OK": "确定", "Yes": "是", "No": "否", "Close": "关闭", "Apply": "应用", "Add": "添加", "Edit": "编辑", "Remove": "移除",
        "Create variable": "新建变量", "Add variable": "添加变量", "Edit variable": "编辑变量", "Variable": "变量",
        "There are currently no variables defined.": "还没有定义变量。", "Is array": "是数组", "Storage": "存储", "Default value": "默认值", "Default Value": "默认值",
        "Please enter a name for the variable.": "请输入变量名称。", "The name of the variable.": "变量的名称。",
        "A variable with this name already exists in the current scope.": "已有同名变量。",
        "Delete selected variable?": "删除所选变量？", "Are you sure you want to delete the selected variable?": "确定删除所选变量吗？",
        "There are currently no inputs defined.": "还没有定义输入。", "There are currently no outputs defined.": "还没有定义输出。",
        "Create input": "新建输入", "Create output": "新建输出", "Add input": "添加输入", "Add output": "添加输出",
        "Display name": "显示名称", "Category": "类别", "UI Hint": "编辑方式", "Storage driver": "存储",
        "Workflow": "流程", "Workflows": "流程", "Definitions": "流程定义", "Workflow definitions Editor": "流程定义编辑器",
        "Activation strategy": "启动方式", "Log Persistence Strategy": "日志记录方式", "Incident Strategy": "出错处理",
        "Incident handling strategy": "出错处理方式", "Commit Strategy": "提交方式", "Default Strategy": "默认方式",
        "Usable as activity": "可作为活动使用", "Allow this workflow to be used as an activity.": "允许把此流程作为活动使用。",
        "Auto-update referencing workflows": "自动更新引用它的流程",
        "This activity does not have any input properties.": "此活动没有输入属性。",
        "This activity does not have any output properties.": "此活动没有输出属性。",
        "This activity does not have any common properties.": "此活动没有通用属性。",
        "This activity does not have a commit strategy.": "此活动没有提交方式。",
        "Input Properties": "输入属性", "Output Properties": "输出属性", "Select an activity": "请选择一个活动", "Nothing selected": "未选择",
        "Add case": "添加分支", "Label": "名称", "Condition": "条件", "Case ": "分支 ", "Add outcomes": "添加出口",
        "Literal": "常量", "Object": "对象", "Expression": "表达式", "Code": "代码", "Value": "值", "Values": "值",
        "True": "是", "False": "否", "Default": "默认", "Done": "完成", "Start": "开始", "Required": "必填",
        "Zoom to fit": "适应窗口", "Zoom to fit the screen": "缩放以显示整个流程", "Auto layout": "自动排列",
        "Horizontal layout": "水平排列", "Vertical layout": "垂直排列", "Designer view": "设计视图", "Code View": "代码视图",
        "Run Workflow": "运行流程", "Run workflow": "运行流程", "Run": "运行",
        "Copy": "复制", "Refresh": "刷新", "Status": "状态", "Sub status": "子状态", "Details": "详情", "Journal": "日志",
        "Executions": "执行记录", "Call stack": "调用栈", "Incidents": "故障", "No incidents": "没有故障",
        "Activity Instance ID": "活动实例 ID", "Instance ID": "实例 ID", "Correlation ID": "关联 ID",
        "Definition version": "定义版本", "Definition version ID": "定义版本 ID", "Workflow instance": "流程实例",
        "Started": "开始", "Completed": "完成", "Faulted": "出错", "Suspended": "暂停", "Resumed": "恢复",
        "Running": "运行中", "Finished": "已结束", "Pending": "等待中", "Cancelled": "已取消", "Executing": "执行中",
        "Timestamp": "时间", "Duration": "耗时", "Message": "消息", "Payload": "数据", "Metadata": "元数据",
        "No data available.": "没有数据。", "Loading": "加载中", "Unknown": "未知", "Unknown Activity": "未知活动",
        "Unable to make changes as the workflow or application is currently in read-only mode": "流程处于只读状态，不能修改",
        "You are running in read-only mode. Workflow operations are disabled": "只读模式：流程操作已停用",
        "The server responded with a Bad Request status code. That's all I know.": "服务器拒绝了请求。",
        "An error occurred while executing a pending action.": "执行操作时出错。",
        "Recent": "最近", "Other": "其他", "Trigger": "触发", "Action": "动作", "Task": "任务",
        "Merge Mode": "汇合方式", "Converge": "全部汇合", "Race": "先到先行", "Stream": "逐个通过", "None": "无",
        "Auto-save": "自动保存", "Information": "信息", "Test": "测试", "TEST": "测试", "INFO": "信息",
        "The name of the workflow.": "流程的名称。", "A brief description of the workflow.": "流程的简要说明。",
        "Select the log persistence strategy to use for activity properties of this workflow.": "选择此流程中活动属性的日志记录方式。",
        "The commit strategy to use that controls when the workflow state should be committed.": "决定流程状态何时保存。",
        "When checked, this activity can trigger this workflow.": "勾选后，此活动可以触发此流程。",
        "When checked, this activity is the start of this workflow.": "勾选后，此活动是流程的起点。",
        "Run Asynchronously": "异步执行", "When checked, the workflow will be executed asynchronously.": "勾选后，流程异步执行。",
        "Show relative time": "显示相对时间", "Show accumulated time": "显示累计时间",
    };
    const patterns = [
        [/^Delete version (\d+)$/, "删除版本 $1"],
        [/^Version (\d+)$/, "版本 $1"],
        [/^Successfully imported (\d+) workflow definitions\.$/, "已导入 $1 个流程定义。"],
    ];
    // Refused by Rectify (findings need a published version, and their history keeps every version): hidden, not offered.
    // Unpublish (the editor's menu), Delete of a version (the version history's row menu, beside Rollback; a variable's
    // Delete stays) and the version history's Bulk actions (whose one action is Delete).
    const unpublish = new Set(["Unpublish", "取消发布"]);
    const remove = new Set(["Delete", "删除"]);
    const rollback = new Set(["Rollback to this version", "回退到此版本"]);
    const bulk = new Set(["Bulk actions", "批量操作"]);
    const refused = (element, text) => element.matches(".mud-menu-item") && (unpublish.has(text)
            || remove.has(text) && [...(element.closest('[role="menu"], .mud-list') ?? element.parentElement).querySelectorAll(".mud-menu-item")]
                .some(s => rollback.has(s.textContent.trim())))
        || element.matches("button") && bulk.has(text);

    const translate = text => {
        const key = text.trim();
        if (!key) return null;
        if (Object.prototype.hasOwnProperty.call(zh, key)) return text.replace(key, zh[key]);
        for (const [re, to] of patterns)
            if (re.test(key)) return text.replace(key, key.replace(re, to));
        return null;
    };

    const hideRefused = element => {
        if (refused(element, element.textContent.trim())) element.style.display = "none";
    };

    // An element's own attributes and visibility (its text nodes are visited separately).
    const translateOwn = element => {
        for (const name of ["title", "placeholder", "aria-label"]) {
            const value = element.getAttribute(name);
            const to = value && translate(value);
            if (to && to !== value) element.setAttribute(name, to);
        }
        hideRefused(element);
    };

    const translateText = node => {
        const to = translate(node.nodeValue);
        if (to !== null && to !== node.nodeValue) node.nodeValue = to;
    };

    const translateTree = node => {
        if (node.nodeType === Node.TEXT_NODE) return translateText(node);
        if (node.nodeType !== Node.ELEMENT_NODE || node.closest(".monaco-editor")) return;
        translateOwn(node);
        const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
        for (let n = walker.nextNode(); n; n = walker.nextNode())
            n.nodeType === Node.TEXT_NODE ? translateText(n) : translateOwn(n);
    };

    // English users keep the Studio's own text; the refused actions are hidden for them too.
    const english = document.documentElement.lang === "en";
    const observer = new MutationObserver(mutations => {
        for (const m of mutations) {
            if (m.type === "characterData") { if (!english) translateText(m.target); continue; }
            if (m.type === "attributes") { if (!english) translateOwn(m.target); continue; }
            for (const added of m.addedNodes) {
                if (!english) translateTree(added);
                else if (added.nodeType === Node.ELEMENT_NODE)
                    for (const e of [added, ...added.querySelectorAll(".mud-menu-item, button")]) hideRefused(e);
            }
        }
    });
    observer.observe(document.documentElement, {
        subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["title", "placeholder", "aria-label"],
    });

    // The flowchart opens fitted to the window, its start in view: the Studio's own "zoom to fit" (toolbar button with
    // Material's FitScreen icon) is pressed when the first activities are drawn, and again while the panes around the
    // canvas settle (they resize it during the first seconds), until the person touches the canvas. Fitting stops at the
    // Studio's smallest scale (0.5) and centres what is left over: a flow wider than that is then panned, as a person
    // drags the empty canvas, so that it starts at the canvas's left edge.
    const fitButton = 'elsa-workflow-definition-editor button:has(path[d^="M6,16h12V8H6V16z"])';
    const startInView = graph => {
        const area = graph.getBoundingClientRect();
        const boxes = [...graph.querySelectorAll("g.x6-node[data-cell-id]")].map(n => n.getBoundingClientRect());
        const left = Math.min(...boxes.map(b => b.left)), right = Math.max(...boxes.map(b => b.right));
        if (left >= area.left && right <= area.right) return;
        const dx = area.left + 16 - left;
        // An empty spot of the canvas near its top edge (the panes below may overlap its lower part).
        const from = [0.5, 0.25, 0.75].map(f => ({ x: area.left + area.width * f, y: area.top + 10 }))
            .find(p => { const e = document.elementFromPoint(p.x, p.y); return e && graph.contains(e) && !e.closest(".x6-cell"); });
        if (!from) return;
        const blank = document.elementFromPoint(from.x, from.y);
        const at = (x, y) => ({ bubbles: true, cancelable: true, button: 0, buttons: 1, clientX: x, clientY: y, view: window });
        blank.dispatchEvent(new MouseEvent("mousedown", at(from.x, from.y)));
        document.body.dispatchEvent(new MouseEvent("mousemove", at(from.x + dx / 2, from.y)));
        document.body.dispatchEvent(new MouseEvent("mousemove", at(from.x + dx, from.y)));
        document.body.dispatchEvent(new MouseEvent("mouseup", at(from.x + dx, from.y)));
    };
    const waitForDrawing = setInterval(() => {
        const graph = document.querySelector("elsa-workflow-definition-editor .x6-graph");
        if (!graph || !graph.querySelector("g.x6-node[data-cell-id]") || !document.querySelector(fitButton)) return;
        clearInterval(waitForDrawing);
        let timer = 0;
        const fit = () =>
        {
            clearTimeout(timer);
            timer = setTimeout(() => { document.querySelector(fitButton)?.click(); setTimeout(() => startInView(graph), 300); }, 300);
        };
        const resized = new ResizeObserver(fit);
        const stop = () => resized.disconnect();
        resized.observe(graph);
        graph.addEventListener("pointerdown", e => { if (e.isTrusted) stop(); }, { once: true });
        setTimeout(stop, 8000);
    }, 200);
    setTimeout(() => clearInterval(waitForDrawing), 120000);
})();
