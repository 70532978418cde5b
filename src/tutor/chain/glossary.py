"""English learner words -> the Chinese words the material uses, for matching English questions.

The material is Chinese; an English question ("What vector databases ...") shares no
words with the passage that answers it ("向量数据库"), so word overlap, which decides
between blocks whose embeddings are close, would favour any passage that happens to
contain English ("Vector Store Memory").  Expanding the question with the material's
own terms lets the right block win.  Only general vocabulary of learning AI and of the
essays' topics belongs here.
"""

from __future__ import annotations

import re

__all__ = ["GLOSSARY", "expand_english"]

GLOSSARY: dict[str, str] = {
    "vector database": "向量数据库", "vector db": "向量数据库", "deployment": "部署", "deploy": "部署",
    "deployment tools": "部署工具", "tools": "工具", "tool": "工具", "library": "库", "libraries": "库",
    "framework": "框架", "frameworks": "框架", "resources": "资源", "resource": "资源", "book": "书籍",
    "books": "书籍", "course": "课程", "courses": "课程", "video": "视频", "videos": "视频", "paper": "论文",
    "papers": "论文", "project": "项目", "projects": "项目", "criteria": "检验标准", "check": "检验",
    "milestone": "里程碑", "milestones": "里程碑", "stage": "阶段", "skill": "技能", "skills": "技能",
    "learning": "学习", "study": "学习", "learn": "学习", "mindset": "心态", "attitude": "心态",
    "advice": "建议", "suggestion": "建议", "tips": "建议", "steps": "步骤", "step": "步骤",
    "advantages": "优点", "advantage": "优点", "pros": "优点", "disadvantages": "缺点", "cons": "缺点",
    "drawbacks": "缺点", "challenges": "挑战", "challenge": "挑战", "trends": "发展趋势", "trend": "趋势",
    "future": "未来", "summary": "总结", "background": "背景", "core concepts": "核心概念", "concepts": "概念",
    "applications": "应用", "application": "应用", "application areas": "应用领域", "use cases": "应用场景",
    "scenarios": "场景", "community": "社区", "communities": "社区", "forum": "论坛", "forums": "论坛",
    "platform": "平台", "platforms": "平台", "open source": "开源", "career": "职业", "career planning": "职业规划",
    "midlife crisis": "中年危机", "crisis": "危机", "bottleneck": "瓶颈", "time management": "时间管理",
    "work-life balance": "工作与生活平衡", "work life balance": "工作与生活平衡", "continuous learning": "持续学习",
    "tech stack": "技术栈", "technology stack": "技术栈", "leadership": "领导力", "influence": "影响力",
    "opinion leader": "意见领袖", "thought leader": "意见领袖", "expert": "专家", "writing": "写作",
    "speaking": "演讲", "talks": "演讲", "blog": "博客", "consulting": "咨询", "training": "培训",
    "startup": "创业", "entrepreneurship": "创业", "curiosity": "好奇心", "knowledge sharing": "知识分享",
    "sharing": "分享", "comeback": "逆袭", "technological change": "技术变革", "tech change": "技术变革",
    "enterprise": "企业", "business": "企业", "public services": "公共服务", "governance": "社会治理",
    "healthcare": "医疗", "medical": "医疗", "autonomous driving": "自动驾驶", "overfitting": "过拟合",
    "regularization": "正则化", "data augmentation": "数据增强", "early stopping": "早停", "pruning": "剪枝",
    "fine-tuning": "微调", "fine tuning": "微调", "finetuning": "微调", "quantization": "量化",
    "inference": "推理", "retrieval": "检索", "hybrid search": "混合检索", "hybrid retrieval": "混合检索",
    "reranking": "重排序", "chunking": "切分", "embedding": "Embedding", "embeddings": "Embedding",
    "attention": "Attention", "neural network": "神经网络", "neural networks": "神经网络",
    "deep learning": "深度学习", "machine learning": "机器学习", "math": "数学", "mathematics": "数学",
    "linear algebra": "线性代数", "calculus": "微积分", "probability": "概率", "statistics": "统计",
    "natural language processing": "自然语言处理", "multimodal": "多模态", "reinforcement learning": "强化学习",
    "safety": "安全", "security": "安全", "system design": "系统设计", "architecture": "架构",
    "performance": "性能", "optimization": "优化", "monitoring": "监控", "evaluation": "评估",
    "time": "时间", "months": "个月", "full-time": "全职", "full time": "全职", "part-time": "业余",
    "part time": "业余", "hours": "小时", "job": "求职", "job hunting": "求职", "interview": "面试",
    "classic papers": "经典论文", "must-read": "必读", "core path": "核心路径", "key skills": "关键技能",
    "development environment": "开发环境", "environment": "环境", "source code": "源代码", "code": "代码",
    "mathematical model": "数学模型", "formula": "公式", "case study": "案例", "research": "研究",
    "common questions": "常见问题", "faq": "常见问题", "problems": "问题", "questions": "问题",
    "python libraries": "Python 基础库", "nlp tools": "NLP 工具", "llm frameworks": "LLM 应用框架",
    "llm application frameworks": "LLM 应用框架", "deep learning frameworks": "深度学习框架",
    "learning platforms": "学习平台", "video courses": "视频学习", "recommended books": "书籍推荐",
    "practice platforms": "实践平台", "practice": "实践", "theory": "理论", "combine": "结合",
    "open-source community": "开源社区", "keep learning": "持续学习", "full-time study": "全职学习",
    "part-time study": "业余学习",
}
_KEYS = sorted(GLOSSARY, key=len, reverse=True)
_PATTERN = re.compile(r"(?<![a-z])(" + "|".join(re.escape(k) for k in _KEYS) + r")(?:s|es)?(?![a-z])", re.IGNORECASE)


def expand_english(question: str) -> str:
    """The question plus the material's words for the English terms in it (longest terms first)."""
    found = list(dict.fromkeys(GLOSSARY[m.group(1).lower()] for m in _PATTERN.finditer(question)))
    return f"{question} {' '.join(found)}" if found else question
