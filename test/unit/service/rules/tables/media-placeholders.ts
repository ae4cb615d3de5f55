import { lines, type RuleTable } from '../table';

// LLaMA-Factory data/README.md (mllm_demo): one <image> placeholder per listed image; TRL vision data: {"type": "image"} parts.
export const table: RuleTable = {
  valid: [
    { name: 'one <image> per image (LLaMA-Factory mllm_demo, OpenAI-style tags)', text: lines({ messages: [{ role: 'user', content: '<image>Who are they?' }, { role: 'assistant', content: 'Two football players.' }, { role: 'user', content: 'What are they doing?<image>' }, { role: 'assistant', content: 'Celebrating a goal.' }], images: ['mllm_demo_data/1.jpg', 'mllm_demo_data/1.jpg'] }) },
    { name: 'an Alpaca record with one image written as a string', text: lines({ instruction: '<image>Describe the picture.', input: '', output: 'A red bicycle.', images: 'bike.jpg' }) },
    { name: 'a video and its placeholder (ShareGPT)', text: lines({ conversations: [{ from: 'human', value: '<video>What happens?' }, { from: 'gpt', value: 'A dog runs.' }], videos: ['dog.mp4'] }) },
    { name: 'TRL vision data with {"type": "image"} parts', text: lines({ images: ['a.jpg'], prompt: [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'What color is the car?' }] }], completion: [{ role: 'assistant', content: 'Red.' }] }) },
    { name: 'images with no placeholder and no dataset_info.json (TRL inserts them)', text: lines({ messages: [{ role: 'user', content: 'What is this?' }, { role: 'assistant', content: 'A cat.' }], images: ['cat.jpg'] }) },
    // LLaMA-Factory's converter takes a first system turn out of the messages before it counts placeholders.
    { name: 'a first system turn that mentions <image> is not counted (ShareGPT and OpenAI-style)', text: lines({ conversations: [{ from: 'system', value: 'Each picture arrives as an <image> token.' }, { from: 'human', value: '<image>What breed is this dog?' }, { from: 'gpt', value: 'A border collie.' }], images: ['dog.jpg'] }, { messages: [{ role: 'system', content: 'Describe each <image> briefly.' }, { role: 'user', content: '<image>What is this?' }, { role: 'assistant', content: 'A cat.' }], images: ['cat.jpg'] }) },
    { name: 'no media column: an <image> tag in the text is just text', text: lines({ messages: [{ role: 'user', content: 'What does the HTML <image> tag do?' }, { role: 'assistant', content: 'It is an obsolete alias of <img>.' }] }) },
  ],
  invalid: [
    { name: 'two images and one <image>', text: lines({ messages: [{ role: 'user', content: '<image>What is in these pictures?' }, { role: 'assistant', content: 'A cat and a dog.' }], images: ['cat.jpg', 'dog.jpg'] }), problems: [{ line: 0, text: '["cat.jpg","dog.jpg"]', message: /"images" lists 2 images but the messages hold 1 <image> placeholder: LLaMA-Factory raises/ }] },
    { name: 'one image and two <image> placeholders (Alpaca)', text: lines({ instruction: '<image>Compare with <image>.', output: 'They match.', images: ['a.jpg'] }), problems: [{ line: 0, text: '["a.jpg"]', message: /lists 1 image but the messages hold 2 <image> placeholders/ }] },
    { name: 'an audio list and no placeholder in a file whose dataset_info.json is absent is fine, but placeholders without media are not', text: lines({ messages: [{ role: 'user', content: '<audio><audio>Transcribe both.' }, { role: 'assistant', content: 'Hello. Goodbye.' }], audios: [] }), problems: [{ line: 0, text: '[]', message: /"audios" lists 0 audios but the messages hold 2 <audio> placeholders/ }] },
  ],
};
