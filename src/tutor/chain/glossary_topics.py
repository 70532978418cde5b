"""More English learner words -> the material's words: topic items of the roadmap and the essays' worked parts.

`tutor.chain.glossary` maps the general vocabulary; an English question that names an item inside a
skill's topic group ("activation functions", "optimizers") or an essay's worked example ("the worked
example", "what number does it come out to") needs the material's word for it too, or the group beside it
that the question also names is answered alone.  Kept apart only for size; `glossary` merges these in.
Only words of the shipped material's topics belong here, never a question's text.
"""

from __future__ import annotations

__all__ = ["SECTION_WORDS", "TOPIC_WORDS", "ZH_TOPIC_WORDS", "expand_chinese"]

# a Chinese learner's words for a group the roadmap titles in English (技能点 9's PEFT 技术, 技能点 12's Memory 管理)
ZH_TOPIC_WORDS: dict[str, str] = {
    "参数高效微调": "PEFT 技术",
    "参数高效": "PEFT 技术",
    "对话记忆": "Memory 管理",
    "记忆管理": "Memory 管理",
    "注意力机制": "Attention 机制",
    "智能体开发": "Agent 开发",
}


def expand_chinese(question: str) -> str:
    """A Chinese question plus the roadmap's word for a group it names in other Chinese words ("参数高效微调"
    -> PEFT), so the group, not one whose title shares the generic word 微调, is matched."""
    found = [v for k, v in ZH_TOPIC_WORDS.items() if k in question]
    return f"{question} {' '.join(dict.fromkeys(found))}" if found else question


TOPIC_WORDS: dict[str, str] = {
    # the skill tree's branch notes (基础技能（必修）): the learner's words beside glossary.py's mandatory/compulsory
    "must-learn": "必修",
    # items of the skills' topic groups (技能点 5 神经网络基础 / 优化技巧, 技能点 8 GPT 系列 …)
    "activation function": "激活函数",
    "optimizer": "优化器",
    "optimiser": "优化器",
    "learning rate schedule": "学习率调度",
    "perceptron": "感知机",
    "backpropagation": "反向传播",
    "back-propagation": "反向传播",
    "forward pass": "前向传播",
    "gpt series": "GPT 系列",
    "bert series": "BERT 系列",
    "causal language modeling": "因果语言建模",
    "positional encoding": "Position Encoding",
    "tokenization": "分词",
    "stemming": "词干提取",
    "stop words": "停用词",
    "stopwords": "停用词",
    "named entity recognition": "命名实体识别",
    "machine translation": "机器翻译",
    "text classification": "文本分类",
    "data cleaning": "数据清洗",
    "hyperparameter tuning": "超参数调优",
    "message queue": "消息队列",
    "caching": "缓存",
    "microservices": "微服务",
    "logging": "日志",
    "logs": "日志",
    "model robustness": "模型鲁棒性",
    "robustness": "鲁棒性",
    "privacy": "隐私保护",
    "content moderation": "内容审核",
    "adversarial": "对抗样本",
    "teacher model": "知识蒸馏",
    "student model": "知识蒸馏",
    "low-rank": "LoRA",
    # 技能点 9's group PEFT 技术 by the words its abbreviation stands for (the Chinese ones too)
    "parameter-efficient fine-tuning": "PEFT",
    "parameter efficient": "PEFT",
    "keyword search": "BM25",
    "keyword matching": "BM25",
    "keyword scoring": "BM25",
    "word embedding": "Word Embedding",
    "word vector": "Word2Vec",
    "dense vector": "Word2Vec",
    "half precision": "混合精度训练",
    "mixed precision": "混合精度训练",
    "fp16": "混合精度训练",
    "distributed training": "分布式训练",
    "document splitting": "文档切分策略",
    "split documents": "文档切分策略",
    "split long documents": "文档切分策略",
    "splitting documents": "文档切分策略",
    "query rewriting": "查询改写",
    "external tools": "Tool 定义",
    "tool calling": "Tool 定义",
    "function calling": "Tool 定义",
    # the resource tables' 类型 column, each kind in the learner's words (书籍, 课程 and 视频 are glossary.py's)
    "docs": "文档",
    "documentation": "文档",
    "tutorial": "教程",
    "tutorials": "教程",
    "online tutorial": "在线教程",
    "online course": "在线课程",
    "video course": "视频课程",
    "code examples": "示例",
    "cookbook": "示例",
    "annotated code": "代码注释",
    "paper walkthrough": "论文解读",
    "paper explainer": "论文解读",
    "interactive textbook": "交互式教材",
    # the opinion-leader essay's application scenarios by their own headings (6.1 技术咨询 … 6.5 技术创业)
    "tech consulting": "技术咨询",
    "technical consulting": "技术咨询",
    "tech training": "技术培训",
    "technical training": "技术培训",
    "open-source contribution": "开源社区贡献",
    "own tech company": "技术创业",
    "tech startup": "技术创业",
    "start a tech company": "技术创业",  # glossary.py's "start a company" with the learner's "tech" between
    "starting a tech company": "技术创业",
    # the essays' worked parts (4.2 公式推导过程, 4.3 案例分析与讲解)
    "worked example": "案例分析",
    "worked case": "案例分析",
    "example calculation": "案例分析",
    "an example of a": "案例分析",  # "the essay has an example of an engineer who …" (blind19)
    "an example of an": "案例分析",
    "learning effect": "学习效果",
    "learning function": "学习函数",
    "skill improvement": "技能提升",
    "derivation": "公式推导",
    # the essays' words for change and for news (升级, 行业动态, 关注顶会论文)
    "upgrade": "升级",
    "upgraded": "升级",
    "industry trend": "行业动态",
    "conference": "顶会",
    # the essays' words for the non-technical side and for a career that stalls (非技术领域, 职业瓶颈)
    "non-tech": "非技术",
    "non-technical": "非技术",
    "product knowledge": "产品",
    "plateau": "瓶颈",
    "bottleneck": "瓶颈",
    # a FAQ question's words said otherwise ("如何应对时间投入和跨领域沟通的挑战", "学习新技术时需要注意哪些问题",
    # "如何高效利用时间进行学习", "如何提升跨领域知识")
    "cope": "应对",
    "cope with": "应对",
    "deal with": "应对",
    "talking with": "沟通",
    "talking to": "沟通",
    "talking across": "沟通",
    "talk with": "沟通",
    "talk to": "沟通",
    "enough time": "时间投入",
    "so much time": "时间投入",
    "time commitment": "时间投入",
    "time investment": "时间投入",
    "studying": "学习",
    "pomodoro": "番茄工作法",
    "outside pure tech": "跨领域",
    "outside tech": "跨领域",
    "beyond tech": "跨领域",
}

#: learner words for the kind of essay section asked about (merged into `glossary.FRAMING`: no topic words):
#: "what three things are key" asks for an essay's 问题核心关键点
SECTION_WORDS: dict[str, str] = {
    "are key": "关键点",
    "is key": "关键点",
    "main reasons": "关键点",  # an essay's 问题核心关键点 lists what a problem "主要源于"
    "root causes": "关键点",
    "what good": "优点",  # "what good does lifelong learning do for me": its 优点
    "still has to solve": "挑战",
    "still have to solve": "挑战",
    "yet to solve": "挑战",
    "unsolved": "挑战",
    "keeping up with": "关注",
    "is hard": "挑战",  # "talking across domains is hard": the challenge a FAQ question names (应对…的挑战)
    # what an essay's 问题核心关键点 lists, asked in other words: "the key to", "what do I need to turn things
    # around", "the main causes of a bottleneck", "where a crisis mainly comes from"
    "the key to": "关键点",
    "key to": "关键点",
    "main causes": "关键点",
    "causes of": "关键点",
    "mainly come from": "关键点",
    "mainly comes from": "关键点",
    "fundamentally need": "关键点",
    "do i need": "关键点",
    "do you need": "关键点",
    "need in order to": "关键点",
    "takes to": "关键点",
    "things you need": "关键点",
    "say you need": "关键点",
    "says you need": "关键点",
    # where what an essay teaches is applied (its 3.4 算法应用领域): "where can this be put to use", "apply this"
    "put to use": "应用领域",
    "apply this": "应用领域",
    "apply it": "应用领域",
    "apply these": "应用领域",
    "where it is used": "应用领域",
    "where it's used": "应用领域",
    "is used in": "应用领域",
    "areas where": "应用领域",
    "fields where": "应用领域",
    "also work for": "应用领域",
    "also works for": "应用领域",
    "also apply to": "应用领域",
    "also applies to": "应用领域",
    # following news ("keep up with new papers", "stay on top of trends"): 关注顶会论文, 关注行业动态
    "keep up with": "关注",
    "stay on top of": "关注",
    "keep an eye on": "关注",
}
